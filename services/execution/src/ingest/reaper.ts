// Stuck-run reaping, run by the reconciler (one replica, under its lease): runs that should have ended, and tasks
// whose worker is gone while no consumer group holds their message any more.
import type { TTaskMessage } from "@opsc/contracts/execution/messages";
import type { Logger } from "@opsc/logger";
import { EXECUTION_WORKER_GROUP, streamKeys } from "@opsc/streams";
import { decodeMessage, fieldsToRecord } from "@opsc/streams/message";
import { sql } from "kysely";
import type { ExecutionServiceDeps } from "../deps.ts";
import { executionKeys } from "../jobs.ts";
import { progressRun } from "../runs/progress.ts";
import { applyReports, followUp } from "./ingester.ts";

/** Runs finalized per pass at most. */
const STUCK_PAGE = 100;
/** Pending entries read per task stream at most (a stream's PEL is bounded by the workers' concurrency). */
const PENDING_PAGE = 10_000;

/**
 * Runs whose counters say nothing is queued or running, that have no unfinished task either, but whose state is not
 * final (nothing will ever report for them again): each goes through the same step a report would trigger, which
 * gives it its final state and sets off what follows (the parent's step of a child run, a held run of its job, the
 * log archive). A run whose tasks are all finished while its counters say otherwise is logged (counter drift).
 * Returns how many runs were finalized.
 */
export async function finalizeStuckRuns(
  deps: ExecutionServiceDeps,
  log: Logger,
  /** Runs whose drift was logged already (logged once per process). */
  reportedDrift: Set<string> = new Set(),
): Promise<number> {
  const withoutActiveTasks = sql<boolean>`r.state in ('queued', 'running', 'cancelling') and not r.held
    and not exists (select 1 from tasks t where t.run_id = r.id and t.state in ('queued', 'running'))`;
  const drifted = await sql<{ id: string; queued: number; running: number }>`
    select r.id, r.queued, r.running from runs r
    where ${withoutActiveTasks} and r.queued + r.running > 0
    order by r.created_at limit ${STUCK_PAGE}
  `.execute(deps.db);
  const newlyDrifted = drifted.rows.filter((run) => !reportedDrift.has(run.id));
  for (const run of newlyDrifted) reportedDrift.add(run.id);
  if (newlyDrifted.length > 0)
    log.error(
      { runs: newlyDrifted },
      "runs whose tasks are all finished count tasks still queued or running; they stay as they are",
    );
  const stuck = await sql<{ id: string }>`
    select r.id from runs r
    where ${withoutActiveTasks} and r.queued = 0 and r.running = 0
    order by r.created_at limit ${STUCK_PAGE}
  `.execute(deps.db);
  let finalized = 0;
  for (const { id } of stuck.rows) {
    try {
      const progress = await deps.db.transaction().execute((trx) => progressRun(trx, deps, id, []));
      await followUp(deps, progress);
      if (progress.finished.includes(id)) finalized++;
    } catch (error) {
      log.error({ err: error, runId: id }, "could not finalize a stuck run; trying again later");
    }
  }
  if (finalized > 0)
    log.warn({ runs: finalized }, "finalized runs that had nothing left to run but were not over");
  return finalized;
}

interface Suspect {
  runId: string;
  attempt: number;
  startedAt: Date;
  /** When this task was first seen running without its message in its group. */
  firstSeenAt: number;
  /** The reports stream's last entry once the suspicion held long enough; null until then. */
  reportsMark: string | null;
}

/**
 * Fails as `worker_lost` a task that PostgreSQL says is running while its worker group's consumer group no longer
 * holds its message (Redis lost it, it was trimmed, or dead-lettered): no worker can heartbeat it, and no other
 * worker will reclaim it, so without this it would wait for its timeout. A worker still running such a task fails
 * its next heartbeat and reports within a lease; so a task is failed only once it stayed unheld for
 * `confirmAfterMs`, and once every report written by then has been applied (the worker's own report wins).
 * A task whose message is held is left to the worker that holds it (or the one that reclaims it); a step that runs
 * another job (its task waits for a child run, no worker holds it) is not a worker's.
 */
export class WorkerLostDetector {
  readonly #deps: ExecutionServiceDeps;
  readonly #log: Logger;
  readonly #leaseMs: number;
  readonly #confirmAfterMs: number;
  readonly #suspects = new Map<string, Suspect>();

  constructor(deps: ExecutionServiceDeps, log: Logger, options: { leaseMs: number; confirmAfterMs: number }) {
    this.#deps = deps;
    this.#log = log;
    this.#leaseMs = options.leaseMs;
    this.#confirmAfterMs = options.confirmAfterMs;
  }

  /** One look; returns how many tasks it failed. */
  async check(): Promise<number> {
    const running = await sql<{
      id: string;
      run_id: string;
      attempt: number;
      started_at: Date;
      worker_group: string;
    }>`
      select t.id, t.run_id, t.attempt, t.started_at, r.worker_group from tasks t join runs r on r.id = t.run_id
      where t.state = 'running' and t.started_at < now() - make_interval(secs => ${this.#leaseMs / 1000})
        and t.child_run_id is null
      limit 5000
    `.execute(this.#deps.db);
    const held = new Set<string>();
    for (const group of new Set(running.rows.map((task) => task.worker_group)))
      for (const taskId of await this.#heldTasks(group)) held.add(taskId);
    const now = Date.now();
    const seen = new Set<string>();
    for (const task of running.rows) {
      if (held.has(task.id)) continue;
      seen.add(task.id);
      const suspect = this.#suspects.get(task.id);
      if (!suspect || suspect.attempt !== task.attempt)
        this.#suspects.set(task.id, {
          runId: task.run_id,
          attempt: task.attempt,
          startedAt: new Date(task.started_at),
          firstSeenAt: now,
          reportsMark: null,
        });
    }
    for (const id of this.#suspects.keys()) if (!seen.has(id)) this.#suspects.delete(id);

    let lastReport: string | null | undefined;
    const due: [string, Suspect][] = [];
    for (const [id, suspect] of this.#suspects) {
      if (now - suspect.firstSeenAt < this.#confirmAfterMs) continue;
      lastReport ??= await this.#lastReport();
      suspect.reportsMark ??= lastReport;
      if (await this.#reportsAppliedUpTo(suspect.reportsMark)) due.push([id, suspect]);
    }
    if (due.length === 0) return 0;
    this.#log.warn(
      { tasks: due.map(([id]) => id) },
      "failing running tasks whose worker is gone and whose message no consumer group holds",
    );
    await applyReports(this.#deps, {
      logs: [],
      started: [],
      finished: due.map(([taskId, suspect]) => ({
        type: "finished" as const,
        runId: suspect.runId,
        taskId,
        attempt: suspect.attempt,
        workerId: "reconciler",
        at: Date.now(),
        startedAt: suspect.startedAt.getTime(),
        status: "failed" as const,
        exitCode: null,
        error: {
          kind: "worker_lost",
          message:
            "The task's worker stopped heartbeating and no worker holds the task any more; its outcome is unknown",
        },
        cancel: null,
        observedHostKey: null,
        outputBytes: 0,
      })),
    });
    for (const [id] of due) this.#suspects.delete(id);
    return due.length;
  }

  /** Task ids whose messages are pending in the execution workers' group on this worker group's stream. */
  async #heldTasks(group: string): Promise<string[]> {
    const key = streamKeys(this.#deps.prefix, `execution.${group}`).stream;
    const pending = (await this.#deps.redis
      .xpending(key, EXECUTION_WORKER_GROUP, "-", "+", PENDING_PAGE)
      .catch((error: Error) => {
        // No group or no stream (Redis lost them): nothing is held.
        if (/NOGROUP|no such key/i.test(error.message)) return [];
        throw error;
      })) as [string, string, number, number][];
    if (pending.length === 0) return [];
    const pipeline = this.#deps.redis.pipeline();
    for (const [entryId] of pending) pipeline.xrange(key, entryId, entryId);
    const taskIds: string[] = [];
    for (const [error, reply] of (await pipeline.exec()) ?? []) {
      const entry = (error ? [] : (reply as [string, string[]][]))[0];
      if (!entry) continue;
      const message = decodeMessage(fieldsToRecord(entry[1]));
      if ("error" in message) continue;
      try {
        taskIds.push((JSON.parse(message.payload) as TTaskMessage).taskId);
      } catch {}
    }
    return taskIds;
  }

  /** The id of the newest entry on the reports stream ("0-0" when it is empty). */
  async #lastReport(): Promise<string> {
    const last = (await this.#deps.redis.xrevrange(
      executionKeys(this.#deps.prefix).reports,
      "+",
      "-",
      "COUNT",
      1,
    )) as [string, string[]][];
    return last[0]?.[0] ?? "0-0";
  }

  /** True once no report up to `mark` waits on the reports stream (applied entries are deleted). */
  async #reportsAppliedUpTo(mark: string): Promise<boolean> {
    if (mark === "0-0") return true;
    const left = await this.#deps.redis.xrange(
      executionKeys(this.#deps.prefix).reports,
      "-",
      mark,
      "COUNT",
      1,
    );
    return left.length === 0;
  }
}
