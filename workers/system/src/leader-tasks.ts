import type { Logger } from "@opsc/logger";
import { metricsRegistry } from "@opsc/server-kit/metrics";
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
  private controller: AbortController | null = null;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly tasks: LeaderTask[],
    private readonly deps: SystemWorkerDeps,
    private readonly log: Logger,
  ) {}

  get isRunning(): boolean {
    return this.controller !== null;
  }

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    isLeaderGauge.set(1);
    this.loops = this.tasks.map((task) => this.loop(task, controller.signal));
  }

  /** Aborts every task's signal and waits (boundedly) for the running ones to return. */
  async stop(reason = "leadership lost"): Promise<void> {
    const controller = this.controller;
    if (!controller) return;
    this.controller = null;
    isLeaderGauge.set(0);
    controller.abort(new Error(reason));
    const loops = this.loops;
    this.loops = [];
    const settled = Promise.allSettled(loops).then(() => true);
    const timedOut = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), STOP_WAIT_MS).unref(),
    );
    if (!(await Promise.race([settled, timedOut]))) {
      this.log.warn({ waitedMs: STOP_WAIT_MS }, "a leader task ignored its abort signal");
    }
  }

  private async loop(task: LeaderTask, signal: AbortSignal): Promise<void> {
    const log = this.log.child({ task: task.name });
    while (!signal.aborted) {
      const startedAt = performance.now();
      try {
        await task.run(this.deps, signal);
        leaderTaskRuns.inc({ task: task.name, outcome: "succeeded" });
      } catch (error) {
        if (signal.aborted) break;
        leaderTaskRuns.inc({ task: task.name, outcome: "failed" });
        // The next interval tries again: a sweep that fails (the targets service restarting) is not fatal.
        log.error({ err: error }, "leader task failed");
      }
      await sleep(Math.max(0, task.intervalMs - (performance.now() - startedAt)), signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
