import { hostname } from "node:os";
import { recordEvents } from "@opsc/audit";
import type { TTaskReport } from "@opsc/contracts/execution/messages";
import type { Logger } from "@opsc/logger";
import { claimAbandonedEntries, ensureGroupFromStart, stopBlockingReader } from "@opsc/streams";
import type Redis from "ioredis";
import { type Selectable, sql, type Transaction } from "kysely";
import { recordArtifacts } from "../artifacts/artifacts.service.ts";
import type { ExecutionDatabase, RunsTable } from "../database.ts";
import type { ExecutionServiceDeps } from "../deps.ts";
import { executionKeys, REPORTS_GROUP } from "../jobs.ts";
import { logArchiverFor } from "../logs/archive.ts";
import { decodeReportEntry, parseOffset } from "../reports.ts";
import {
  emptyProgress,
  type FinishedTask,
  mergeProgress,
  type Progress,
  progressRun,
} from "../runs/progress.ts";
import { dispatchOrRelease } from "../runs/runs.service.ts";
import { trackReportsBacklog } from "./metrics.ts";

type Finished = Extract<TTaskReport, { type: "finished" }>;
type Started = Extract<TTaskReport, { type: "started" }>;

interface LogRow {
  run_id: string;
  offset_ms: number;
  offset_seq: number;
  task_id: string;
  stream: string;
  data: string;
  at: string;
}

/** Entries per read at most; a batch is applied in one transaction. */
const BATCH = 5_000;
/**
 * Bytes a batch should hold at most: log chunks are up to 64 KiB each, so after a batch heavy with output the next
 * read asks for fewer entries (a task printing 100 MB must not put 300 MB in this process at once).
 */
const BATCH_BYTES = 16 * 1024 * 1024;
/** Log text per insert statement, at most. */
const LOG_INSERT_BYTES = 4 * 1024 * 1024;
/** A report pending this long at another (dead) service replica is taken over. */
const CLAIM_IDLE_MS = 30_000;

const COUNTER_OF: Record<string, string> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed_out",
  cancelled: "cancelled",
  skipped: "skipped",
};

/**
 * Persists what workers report, in batches: log chunks (multi-row inserts, idempotent on their offset), task
 * transitions as guarded updates (a transition applies only from an unfinished state and for the current attempt,
 * so a redelivered report never counts twice), the run's counters, the failure threshold, the fan-out window (the
 * next tasks are enqueued as others finish) and the run's final state with its events. One consumer group on the
 * reports stream; service replicas share it.
 */
export class ReportIngester {
  readonly #deps: ExecutionServiceDeps;
  readonly #blocking: Redis;
  readonly #log: Logger;
  readonly #keys: ReturnType<typeof executionKeys>;
  readonly #consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  #running = false;
  #loop: Promise<void> | null = null;
  #lastClaim = 0;
  #untrackBacklog: () => void = () => {};
  /** Entries to ask for next: BATCH, or fewer after a batch of large log chunks. */
  #count = BATCH;

  constructor(deps: ExecutionServiceDeps) {
    this.#deps = deps;
    this.#blocking = deps.redis.duplicate();
    this.#log = deps.log.child({ component: "report-ingester" });
    this.#keys = executionKeys(deps.prefix);
  }

  async start(): Promise<void> {
    this.#running = true;
    await this.#ensureGroup();
    this.#untrackBacklog = trackReportsBacklog(() => this.#deps.redis.xlen(this.#keys.reports));
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#untrackBacklog();
    await stopBlockingReader(this.#blocking, this.#loop);
    await logArchiverFor(this.#deps).idle();
  }

  async #ensureGroup(): Promise<void> {
    await ensureGroupFromStart(this.#deps.redis, this.#keys.reports, REPORTS_GROUP);
  }

  async #run(): Promise<void> {
    // First what this consumer name already holds (none for a fresh name), then new entries.
    while (this.#running) {
      try {
        if (Date.now() - this.#lastClaim > CLAIM_IDLE_MS / 2) {
          this.#lastClaim = Date.now();
          await this.#claimAbandoned();
        }
        const response = (await this.#blocking.xreadgroup(
          "GROUP",
          REPORTS_GROUP,
          this.#consumer,
          "COUNT",
          this.#count,
          "BLOCK",
          1_000,
          "STREAMS",
          this.#keys.reports,
          ">",
        )) as [string, [string, string[]][]][] | null;
        const entries = response?.[0]?.[1] ?? [];
        if (entries.length > 0) {
          await this.#process(entries);
          const bytes = entries.reduce(
            (sum, [, fields]) => sum + fields.reduce((size, field) => size + field.length, 0),
            0,
          );
          this.#count = Math.max(10, Math.min(BATCH, Math.floor(BATCH_BYTES / (bytes / entries.length))));
        }
      } catch (error) {
        if (!this.#running) return;
        const message = String((error as Error).message);
        if (message.includes("NOGROUP")) {
          // Redis lost its data (restart without persistence): the reconciler re-enqueues; we carry on reading.
          await this.#ensureGroup().catch(() => {});
          continue;
        }
        this.#log.error({ err: error }, "report batch failed; retrying");
        await Bun.sleep(500);
      }
    }
  }

  /** Entries a dead replica read but never acknowledged. */
  async #claimAbandoned(): Promise<void> {
    await claimAbandonedEntries(
      this.#deps.redis,
      {
        stream: this.#keys.reports,
        group: REPORTS_GROUP,
        consumer: this.#consumer,
        idleMs: CLAIM_IDLE_MS,
        count: BATCH,
        running: () => this.#running,
      },
      (entries) => this.#process(entries),
    );
  }

  /** Applies a batch and acknowledges it; exposed for tests through `applyBatch`. */
  async #process(entries: [string, string[]][]): Promise<void> {
    await applyBatch(
      this.#deps,
      entries.map(([, fields]) => fields),
    );
    const ids = entries.map(([id]) => id);
    await this.#deps.redis
      .multi()
      .xack(this.#keys.reports, REPORTS_GROUP, ...ids)
      .xdel(this.#keys.reports, ...ids)
      .exec();
  }
}

/** Applies raw report entries: one transaction, then the follow-up enqueues and host-key pins. */
export async function applyBatch(deps: ExecutionServiceDeps, batch: string[][]): Promise<void> {
  const logs: LogRow[] = [];
  const started: Started[] = [];
  const finished: Finished[] = [];
  for (const fields of batch) {
    const entry = decodeReportEntry(fields);
    if (entry.kind === "log") {
      const offset = parseOffset(entry.offset);
      if (!offset) continue;
      logs.push({
        run_id: entry.runId,
        offset_ms: offset.ms,
        offset_seq: offset.seq,
        task_id: entry.chunk.taskId,
        stream: entry.chunk.stream,
        // PostgreSQL text cannot hold NUL.
        data: entry.chunk.data.replaceAll("\u0000", "\uFFFD"),
        at: new Date(entry.chunk.at).toISOString(),
      });
    } else if (entry.kind === "report") {
      if (entry.report.type === "started") started.push(entry.report);
      else finished.push(entry.report);
    } else deps.log.warn({ reason: entry.reason }, "dropped an invalid report entry");
  }
  await applyReports(deps, { logs, started, finished });
}

/** Applies decoded reports (the reconciler reports lost tasks through here too). */
export async function applyReports(
  deps: ExecutionServiceDeps,
  { logs, started, finished }: { logs: LogRow[]; started: Started[]; finished: Finished[] },
): Promise<void> {
  // A task that started and finished within one batch needs only its final transition: the finished report carries
  // its start time too. Its enqueue time still counts (dispatch latency).
  const finishedKeys = new Set(finished.map((report) => `${report.taskId}:${report.attempt}`));
  const enqueuedAt = new Map<string, number>();
  for (const report of finished)
    if (report.enqueuedAt !== undefined) enqueuedAt.set(report.taskId, report.enqueuedAt);
  const stillRunning = started.filter((report) => {
    if (!finishedKeys.has(`${report.taskId}:${report.attempt}`)) return true;
    if (report.enqueuedAt !== undefined) enqueuedAt.set(report.taskId, report.enqueuedAt);
    return false;
  });
  // First-use host keys are pinned before the tasks' ends are applied: once a run is seen finished, its targets'
  // keys are pinned (pinning twice, when this batch is applied again, changes nothing).
  const observed = finished
    .filter((report) => report.observedHostKey)
    .map((report) => ({ taskId: report.taskId, key: report.observedHostKey! }));
  if (observed.length > 0) await pinObservedKeys(deps, observed);
  const progress = await deps.db.transaction().execute(async (trx) => {
    await insertLogs(trx, logs);
    // A start changes no run's course (no next task, no final state): only finished tasks make a run progress.
    await applyStarted(trx, stillRunning);
    const touched = new Map<string, FinishedTask[]>();
    const { changed, runs } = await applyFinished(trx, finished, enqueuedAt);
    for (const row of changed) touched.set(row.run_id, [...(touched.get(row.run_id) ?? []), row]);
    const total = emptyProgress();
    for (const [runId, rows] of touched) {
      mergeProgress(total, await progressRun(trx, deps, runId, rows, runs.get(runId)));
    }
    // A failed task that will run again (a step's retries) is not a failure yet.
    await recordEvents(
      trx,
      changed
        .filter((row) => (row.state === "failed" || row.state === "timed_out") && !total.retried.has(row.id))
        .map((row) => ({
          type: "task.failed",
          payload: {
            runId: row.run_id,
            taskId: row.id,
            targetId: row.target_id,
            targetName: row.target_name,
            stepKey: row.step_key,
            state: row.state,
            exitCode: row.exit_code,
            error: row.error,
          },
        })),
    );
    return total;
  });
  await followUp(deps, progress);
}

/**
 * What a committed change sets off: stop markers for runs the failure threshold stopped, the tasks to enqueue, the
 * log archive of runs that finished (in the background; the reconciler retries).
 */
export async function followUp(deps: ExecutionServiceDeps, progress: Progress): Promise<void> {
  const keys = executionKeys(deps.prefix);
  for (const runId of progress.stopped)
    await deps.redis.set(keys.runStopped(runId), "skipped", "EX", 7 * 24 * 3600);
  for (const dispatch of progress.dispatches)
    if (dispatch.tasks.length > 0) await dispatchOrRelease(deps, dispatch.run, dispatch.tasks);
  for (const runId of progress.finished) logArchiverFor(deps).schedule(runId);
}

async function insertLogs(trx: Transaction<ExecutionDatabase>, logs: LogRow[]) {
  let start = 0;
  while (start < logs.length) {
    let end = start;
    let bytes = 0;
    while (end < logs.length && (end === start || bytes + logs[end]!.data.length <= LOG_INSERT_BYTES)) {
      bytes += logs[end]!.data.length;
      end++;
    }
    const rows = JSON.stringify(logs.slice(start, end));
    // Chunks of runs deleted meanwhile are dropped; a redelivered chunk (same offset) is written once.
    await sql`
      insert into log_chunks (run_id, offset_ms, offset_seq, task_id, stream, data, at)
      select r.run_id, r.offset_ms, r.offset_seq, r.task_id, r.stream, r.data, r.at
      from jsonb_to_recordset(${rows}::jsonb) as r(run_id uuid, offset_ms bigint, offset_seq int, task_id uuid, stream text, data text, at timestamptz)
      where exists (select 1 from runs where runs.id = r.run_id)
      on conflict do nothing
    `.execute(trx);
    start = end;
  }
}

/** Counter deltas per run from transitions `from -> to`. */
function countDeltas(changes: { run_id: string; old_state: string; state: string }[]) {
  const deltas = new Map<string, Map<string, number>>();
  for (const change of changes) {
    let delta = deltas.get(change.run_id);
    if (!delta) {
      delta = new Map();
      deltas.set(change.run_id, delta);
    }
    const from = COUNTER_OF[change.old_state];
    const to = COUNTER_OF[change.state];
    if (from) delta.set(from, (delta.get(from) ?? 0) - 1);
    if (to) delta.set(to, (delta.get(to) ?? 0) + 1);
  }
  return deltas;
}

async function applyDeltas(
  trx: Transaction<ExecutionDatabase>,
  deltas: Map<string, Map<string, number>>,
  markRunning: boolean,
): Promise<Map<string, Selectable<RunsTable>>> {
  const rows = new Map<string, Selectable<RunsTable>>();
  for (const [runId, delta] of deltas) {
    const sets = [...delta.entries()]
      .filter(([, value]) => value !== 0)
      .map(([column, value]) => sql`${sql.ref(column)} = ${sql.ref(column)} + ${value}`);
    if (markRunning) {
      sets.push(sql`state = case when state = 'queued' then 'running' else state end`);
      sets.push(sql`started_at = coalesce(started_at, now())`);
    }
    if (sets.length === 0) continue;
    // The updated row (locked by the update) is what the run's progress starts from.
    const updated = await sql<
      Selectable<RunsTable>
    >`update runs set ${sql.join(sets)} where id = ${runId} returning *`.execute(trx);
    if (updated.rows[0]) rows.set(runId, updated.rows[0]);
  }
  return rows;
}

/** `queued -> running` for the current attempt; returns the runs touched. */
async function applyStarted(trx: Transaction<ExecutionDatabase>, reports: Started[]): Promise<string[]> {
  if (reports.length === 0) return [];
  const rows = JSON.stringify(
    reports.map((report) => ({
      task_id: report.taskId,
      attempt: report.attempt,
      worker_id: report.workerId,
      at: new Date(report.at).toISOString(),
      enqueued_at: report.enqueuedAt === undefined ? null : new Date(report.enqueuedAt).toISOString(),
    })),
  );
  // enqueued_at becomes the moment the message was put on the stream, so started_at - enqueued_at is the dispatch
  // latency (until then it is when the service marked the task for enqueueing).
  const changed = await sql<{ run_id: string; old_state: string; state: string }>`
    with r as (
      select distinct on (task_id) * from jsonb_to_recordset(${rows}::jsonb)
        as r(task_id uuid, attempt int, worker_id text, at timestamptz, enqueued_at timestamptz)
    )
    update tasks t set state = 'running', started_at = r.at, worker_id = r.worker_id,
      enqueued_at = coalesce(r.enqueued_at, t.enqueued_at)
    from r where t.id = r.task_id and t.attempt = r.attempt and t.state = 'queued'
    returning t.run_id, 'queued' as old_state, 'running' as state
  `.execute(trx);
  const deltas = countDeltas(changed.rows);
  await applyDeltas(trx, deltas, true);
  return [...deltas.keys()];
}

/** `queued|running -> final` for the current attempt, once; `task.failed` events; returns the runs touched. */
async function applyFinished(
  trx: Transaction<ExecutionDatabase>,
  reports: Finished[],
  enqueuedAt: Map<string, number> = new Map(),
) {
  if (reports.length === 0) return { changed: [], runs: new Map<string, Selectable<RunsTable>>() };
  const rows = JSON.stringify(
    reports.map((report) => ({
      task_id: report.taskId,
      attempt: report.attempt,
      status: report.status,
      exit_code: report.exitCode,
      error: report.error,
      cancel: report.cancel,
      worker_id: report.workerId,
      at: new Date(report.at).toISOString(),
      started_at: report.startedAt === null ? null : new Date(report.startedAt).toISOString(),
      enqueued_at: enqueuedAt.has(report.taskId)
        ? new Date(enqueuedAt.get(report.taskId)!).toISOString()
        : null,
      output_bytes: report.outputBytes,
      outputs: report.outputs && Object.keys(report.outputs).length > 0 ? report.outputs : null,
    })),
  );
  const changed = await sql<{
    id: string;
    run_id: string;
    old_state: string;
    state: string;
    target_id: string;
    target_name: string;
    exit_code: number | null;
    error: { kind: string; message: string } | null;
    step_index: number;
    step_key: string | null;
    retries: number;
  }>`
    with r as (
      select distinct on (task_id) * from jsonb_to_recordset(${rows}::jsonb) as r(
        task_id uuid, attempt int, status text, exit_code int, error jsonb, cancel jsonb, worker_id text,
        at timestamptz, started_at timestamptz, enqueued_at timestamptz, output_bytes bigint, outputs jsonb)
    ),
    old as (
      select t.id, t.state as old_state from tasks t join r on r.task_id = t.id and t.attempt = r.attempt
      where t.state in ('queued', 'running') for update of t
    )
    update tasks t set state = r.status, exit_code = r.exit_code, error = r.error, cancel = r.cancel,
      worker_id = coalesce(r.worker_id, t.worker_id), finished_at = r.at,
      started_at = coalesce(t.started_at, r.started_at), enqueued_at = coalesce(r.enqueued_at, t.enqueued_at),
      output_bytes = r.output_bytes, outputs = r.outputs
    from r join old on old.id = r.task_id
    where t.id = r.task_id
    returning t.id, t.run_id, old.old_state, t.state, t.target_id, t.target_name, t.exit_code, t.error,
      t.step_index, t.step_key, t.retries
  `.execute(trx);
  const deltas = countDeltas(changed.rows);
  const runs = await applyDeltas(trx, deltas, true);
  // Every file a finished report names is recorded (its object is stored), also when the report was stale.
  await recordArtifacts(trx, reports);
  return { changed: changed.rows, runs };
}

/** First-use host keys seen by tasks, pinned by the targets service (it owns the keys). */
async function pinObservedKeys(
  deps: ExecutionServiceDeps,
  observed: { taskId: string; key: { algorithm: string; fingerprintSha256: string } }[],
) {
  const tasks = await deps.db
    .selectFrom("tasks")
    .select(["id", "target_id", "target"])
    .where(
      "id",
      "in",
      observed.map((entry) => entry.taskId),
    )
    .execute();
  const targetOf = new Map(tasks.map((task) => [task.id, task]));
  const keys = observed
    .map((entry) => ({ task: targetOf.get(entry.taskId), key: entry.key }))
    // Only where the task ran without a pinned key: a mismatch was refused by the worker and pins nothing.
    .filter((entry) => entry.task && !(entry.task.target as { expectedHostKey: unknown }).expectedHostKey)
    .map((entry) => ({ targetId: entry.task!.target_id, ...entry.key }));
  if (keys.length === 0) return;
  try {
    await deps
      .inventory({ requestId: crypto.randomUUID(), sourceIp: null, caller: null, headers: new Headers() })
      .execution.pinHostKeys.mutate({ keys });
  } catch (error) {
    deps.log.warn({ err: error }, "could not pin first-use host keys; the next task will report them again");
  }
}
