import type { TTaskMessage } from "@opsc/contracts/execution/messages";
import type { Logger } from "@opsc/logger";
import { LeaderLease, streamKeys } from "@opsc/streams";
import { decodeMessage, fieldsToRecord } from "@opsc/streams/message";
import { sql } from "kysely";
import type { ExecutionServiceDeps } from "../deps.ts";
import { executionKeys, TASK_LEASE_MS } from "../jobs.ts";
import { logArchiverFor } from "../logs/archive.ts";
import { dispatchOrRelease } from "../runs/runs.service.ts";
import { applyReports } from "./ingester.ts";
import { finalizeStuckRuns, WorkerLostDetector } from "./reaper.ts";

/**
 * When a replica becomes the leader, tasks marked for enqueueing less than this long ago are left alone: their
 * message may still be on its way to the stream.
 */
const ENQUEUE_MARGIN_MS = 60_000;

/** How long past its timeout (plus kill grace and lease) a running task may stay silent before it counts as lost. */
const LOST_MARGIN_MS = 2 * TASK_LEASE_MS + 30_000;

/**
 * Keeps PostgreSQL (the truth) and Redis in step, on one service replica at a time (a Redis lease):
 * - when Redis lost its data (the epoch key is gone) and when this replica becomes the leader, every queued task
 *   whose message is not on its stream is enqueued again, and the stop markers of cancelling runs are set again;
 * - a task still `running` long after its timeout (its worker and its message are both gone) is failed as `lost`,
 *   so no run stays running forever;
 * - finished runs without a log archive get one (see logs/archive.ts), so a failed archive is retried;
 * - stuck runs are reaped (see reaper.ts): a run with nothing left to run gets its final state, and a running task
 *   whose message no consumer group holds any more is failed as `worker_lost` once its worker could have reported.
 */
export class Reconciler {
  readonly #deps: ExecutionServiceDeps;
  readonly #lease: LeaderLease;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;
  #needsFullPass = false;
  readonly #lostMarginMs: number;
  /** A re-enqueue pass still to do (it waits while reports are pending). */
  #pendingPass: { minAgeMs: number } | null = null;
  readonly #workerLost: WorkerLostDetector;
  readonly #reapIntervalMs: number;
  #lastReapAt = 0;
  readonly #reportedDrift = new Set<string>();

  constructor(
    deps: ExecutionServiceDeps,
    options: {
      intervalMs?: number;
      leaseTtlMs?: number;
      /** How long past its timeout a silent running task is failed as lost (default two leases + 30 s). */
      lostMarginMs?: number;
      /** How often stuck runs are reaped, at most (default 10 s). */
      reapIntervalMs?: number;
      /** How long a running task's message must stay unheld before it is failed (default two leases + 30 s). */
      workerLostAfterMs?: number;
    } = {},
  ) {
    this.#deps = deps;
    this.#lostMarginMs = options.lostMarginMs ?? LOST_MARGIN_MS;
    this.#log = deps.log.child({ component: "reconciler" });
    this.#reapIntervalMs = options.reapIntervalMs ?? 10_000;
    this.#workerLost = new WorkerLostDetector(deps, this.#log, {
      leaseMs: TASK_LEASE_MS,
      confirmAfterMs: options.workerLostAfterMs ?? LOST_MARGIN_MS,
    });
    this.#intervalMs = options.intervalMs ?? 5_000;
    this.#lease = new LeaderLease({
      redis: deps.redis,
      prefix: deps.prefix,
      name: "execution-reconciler",
      ttlMs: options.leaseTtlMs ?? 15_000,
      log: this.#log,
      onAcquired: () => {
        this.#needsFullPass = true;
      },
    });
  }

  async start(): Promise<void> {
    await this.#lease.start();
    this.#timer = setInterval(() => void this.tick(), this.#intervalMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#lease.stop();
  }

  /** One pass (exposed for tests). */
  async tick(): Promise<void> {
    if (this.#busy || !this.#lease.isLeader) return;
    this.#busy = true;
    try {
      const keys = executionKeys(this.#deps.prefix);
      const redisWasEmptied = (await this.#deps.redis.set(keys.epoch, String(Date.now()), "NX")) === "OK";
      if (redisWasEmptied) this.#pendingPass = { minAgeMs: 0 };
      else if (this.#needsFullPass) this.#pendingPass ??= { minAgeMs: ENQUEUE_MARGIN_MS };
      this.#needsFullPass = false;
      if (this.#pendingPass) {
        await this.#restoreStopMarkers();
        if (await this.#reenqueueMissing(this.#pendingPass.minAgeMs)) this.#pendingPass = null;
      }
      await this.#failLostTasks();
      if (Date.now() - this.#lastReapAt >= this.#reapIntervalMs) {
        this.#lastReapAt = Date.now();
        await this.#workerLost.check();
        await finalizeStuckRuns(this.#deps, this.#log, this.#reportedDrift);
      }
      // Finished runs whose log is not in the object store yet (it was down, or the run ended by a cancel).
      await logArchiverFor(this.#deps).archivePending();
    } catch (error) {
      this.#log.error({ err: error }, "reconciliation failed; trying again next interval");
    } finally {
      this.#busy = false;
    }
  }

  /** Task ids on a group's stream (waiting or delivered and not yet acknowledged). */
  async #tasksOnStream(group: string): Promise<Set<string>> {
    const key = streamKeys(this.#deps.prefix, `execution.${group}`).stream;
    const present = new Set<string>();
    let start = "-";
    for (;;) {
      const entries = (await this.#deps.redis.xrange(key, start, "+", "COUNT", 10_000)) as [
        string,
        string[],
      ][];
      for (const [, flat] of entries) {
        const message = decodeMessage(fieldsToRecord(flat));
        if ("error" in message) continue;
        try {
          present.add((JSON.parse(message.payload) as TTaskMessage).taskId);
        } catch {}
      }
      if (entries.length < 10_000) return present;
      start = `(${entries.at(-1)![0]}`;
    }
  }

  /**
   * Re-enqueues tasks that PostgreSQL says are queued (and were enqueued) but that are on no task stream. A finished
   * task's message leaves its stream when the worker acknowledges it, after its report went to the reports stream,
   * and PostgreSQL says "queued" until the service has applied that report; so this reads the task streams first,
   * then requires the reports stream to be empty (every report written before that read has been applied; entries
   * are deleted once applied), and only then reads PostgreSQL. A task marked for enqueueing after the streams were
   * read may simply not be on them yet: only tasks marked `minAgeMs` before the read count (0 after Redis lost its
   * data, when nothing from before is left). Returns false when it had to wait for the reports (try again later).
   */
  async #reenqueueMissing(minAgeMs: number): Promise<boolean> {
    const runs = await this.#deps.db
      .selectFrom("runs")
      .selectAll()
      .where("state", "in", ["queued", "running"])
      .where("queued", ">", 0)
      .execute();
    if (runs.length === 0) return true;
    const readAt = Date.now();
    const onStream = new Map<string, Set<string>>();
    for (const group of new Set(runs.map((run) => run.worker_group)))
      onStream.set(group, await this.#tasksOnStream(group));
    if ((await this.#deps.redis.xlen(executionKeys(this.#deps.prefix).reports)) > 0) return false;
    let count = 0;
    for (const run of runs) {
      const present = onStream.get(run.worker_group)!;
      const tasks = await this.#deps.db
        .selectFrom("tasks")
        .select(["id", "run_id", "attempt", "target", "target_id", "step_index"])
        .where("run_id", "=", run.id)
        .where("state", "=", "queued")
        .where("enqueued_at", "<", new Date(readAt - minAgeMs))
        .orderBy("seq")
        .execute();
      const missing = tasks.filter((task) => !present.has(task.id));
      count += missing.length;
      await dispatchOrRelease(this.#deps, run, missing);
    }
    if (count > 0) this.#log.warn({ tasks: count }, "re-enqueued tasks that Redis no longer held");
    return true;
  }

  async #restoreStopMarkers(): Promise<void> {
    const keys = executionKeys(this.#deps.prefix);
    const stopped = await this.#deps.db
      .selectFrom("runs")
      .select(["id", "cancel_requested_by"])
      .where("state", "in", ["queued", "running", "cancelling"])
      .where("stop_reason", "is not", null)
      .execute();
    for (const run of stopped)
      await this.#deps.redis.set(
        keys.runStopped(run.id),
        run.cancel_requested_by ? "cancelled" : "skipped",
        "EX",
        7 * 24 * 3600,
      );
  }

  async #failLostTasks(): Promise<void> {
    const lost = await sql<{ id: string; run_id: string; attempt: number; started_at: Date }>`
      select t.id, t.run_id, t.attempt, t.started_at from tasks t join runs r on r.id = t.run_id
      where t.state = 'running'
        and t.started_at < now() - make_interval(secs => (r.timeout_seconds * 1000 + ${this.#lostMarginMs}) / 1000.0)
      limit 1000
    `.execute(this.#deps.db);
    if (lost.rows.length === 0) return;
    this.#log.warn({ tasks: lost.rows.length }, "failing tasks whose worker was lost");
    await applyReports(this.#deps, {
      logs: [],
      started: [],
      finished: lost.rows.map((task) => ({
        type: "finished" as const,
        runId: task.run_id,
        taskId: task.id,
        attempt: task.attempt,
        workerId: "reconciler",
        at: Date.now(),
        startedAt: new Date(task.started_at).getTime(),
        status: "failed" as const,
        exitCode: null,
        error: {
          kind: "lost",
          message:
            "The task's worker stopped reporting and the task outlived its timeout; its outcome is unknown",
        },
        cancel: null,
        observedHostKey: null,
        outputBytes: 0,
      })),
    });
  }
}
