import type { Logger } from "@opsc/logger";
import { metricsRegistry } from "@opsc/server-kit/metrics";
import { LeaderWork, repeatEvery } from "@opsc/streams";
import { Counter, Gauge } from "prom-client";
import type { SystemWorkerDeps, SystemWorkerModule } from "./module.ts";

/** One periodic leader-only task of a module. */
export type LeaderTask = NonNullable<SystemWorkerModule["leaderTasks"]>[number];

const leaderTaskRuns = new Counter({
  name: "opsc_system_leader_task_runs_total",
  help: "Runs of the system worker's leader-only periodic tasks, by outcome",
  labelNames: ["task", "outcome"] as const,
  registers: [metricsRegistry],
});

/** 1 while this replica is the leader and runs the periodic tasks. */
export const isLeaderGauge = new Gauge({
  name: "opsc_system_is_leader",
  help: "1 while this system worker replica holds the leader lease and runs the periodic tasks",
  registers: [metricsRegistry],
});

/** How long a task that ignores its signal may hold up a change of leadership or a shutdown. */
const STOP_WAIT_MS = 10_000;

/**
 * Runs every module's leader tasks, each on its own interval, during one leadership term: `start()` when the
 * lease is acquired, `stop()` when it is lost. A run never overlaps the previous run of the same task; the
 * interval counts from the start of a run, so a slow run is followed at once by the next.
 */
export class LeaderTaskRunner {
  private readonly work: LeaderWork;

  constructor(
    private readonly tasks: LeaderTask[],
    private readonly deps: SystemWorkerDeps,
    private readonly log: Logger,
  ) {
    this.work = new LeaderWork({
      log,
      stopWaitMs: STOP_WAIT_MS,
      stopTimeoutMessage: "a leader task ignored its abort signal",
      gauge: isLeaderGauge,
    });
  }

  get isRunning(): boolean {
    return this.work.isRunning;
  }

  start(): void {
    this.work.start((signal) => Promise.allSettled(this.tasks.map((task) => this.loop(task, signal))));
  }

  /** Aborts every task's signal and waits (boundedly) for the running ones to return. */
  async stop(reason = "leadership lost"): Promise<void> {
    await this.work.stop(reason);
  }

  private loop(task: LeaderTask, signal: AbortSignal): Promise<void> {
    const log = this.log.child({ task: task.name });
    return repeatEvery(
      task.intervalMs,
      signal,
      async () => {
        await task.run(this.deps, signal);
        leaderTaskRuns.inc({ task: task.name, outcome: "succeeded" });
        // A task does all its work in one run: the next waits for the interval.
        return false;
      },
      (error) => {
        leaderTaskRuns.inc({ task: task.name, outcome: "failed" });
        // The next interval tries again: a sweep that fails (the targets service restarting) is not fatal.
        log.error({ err: error }, "leader task failed");
      },
    );
  }
}
