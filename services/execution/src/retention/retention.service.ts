import { type AuditActor, recordAudit } from "@opsc/audit";
import type {
  TMaintenanceStatusResponse,
  TPruneLogsResponse,
  TPruneRunsResponse,
} from "@opsc/contracts/execution/maintenance";
import type { ExecutionServiceDeps } from "../deps.ts";
import { LOG_CONTENT_TYPE, logArchiveKey, runLogText, textStream } from "../logs/archive.ts";
import { writeLogSegments } from "./log-segments.ts";
import {
  countRunRows,
  deleteChunks,
  deleteRun,
  findLogPruneCandidates,
  findPasses,
  findRunPruneCandidates,
  findSegmentKeys,
  insertSegments,
  markLogsPruned,
  recordPass,
} from "./retention.repository.ts";
import { RUN_ARCHIVE_CONTENT_TYPE, runArchiveKey, runRecordJson } from "./run-archive.ts";

/** How long finished runs keep their logs in PostgreSQL, and how long they are kept at all. */
export interface RetentionPolicy {
  logRetentionDays: number;
  runRetentionDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { logRetentionDays: 30, runRetentionDays: 365 };

/** A call starts no new run after this long, so each call answers within seconds (the caller calls again). */
const CALL_BUDGET_MS = 5_000;
const DAY_MS = 24 * 60 * 60 * 1000;

type RetentionDeps = Pick<ExecutionServiceDeps, "db" | "objectStore" | "log" | "retention">;

const policyOf = (deps: Pick<ExecutionServiceDeps, "retention">) => deps.retention ?? DEFAULT_RETENTION;
const cutoffOf = (days: number) => new Date(Date.now() - days * DAY_MS);

/** A chunk arrived after the segments were written: the run is left as it was and taken again later. */
class ChunksChangedError extends Error {}

/**
 * Moves the logs of runs finished more than `logRetentionDays` ago (and already archived) out of PostgreSQL: their
 * chunks are written to NDJSON segments in the object store, the text archive is written again (it then holds
 * chunks that arrived after it was first written), and in one transaction the segments are recorded, the chunks
 * deleted and the run marked. `logs.read`, `logs.tail` and `log.txt` then read the object store.
 */
export async function pruneLogs(
  deps: RetentionDeps,
  actor: AuditActor,
  input: { limit: number },
): Promise<TPruneLogsResponse> {
  const log = deps.log.child({ component: "retention" });
  const startedAt = Date.now();
  const candidates = await findLogPruneCandidates(
    deps.db,
    cutoffOf(policyOf(deps).logRetentionDays),
    input.limit,
  );
  const result = { runs: 0, chunksDeleted: 0, bytesArchived: 0, failed: 0, more: false };
  let attempted = 0;
  for (const run of candidates) {
    if (Date.now() - startedAt > CALL_BUDGET_MS) break;
    attempted++;
    try {
      const segments = await writeLogSegments(deps, run.id);
      const chunks = segments.reduce((sum, segment) => sum + segment.chunks, 0);
      const text = await deps.objectStore.put(
        logArchiveKey(run.id),
        textStream(runLogText(deps.db, run.id)),
        {
          contentType: LOG_CONTENT_TYPE,
        },
      );
      const pruned = await deps.db.transaction().execute(async (trx) => {
        if (!(await markLogsPruned(trx, run.id))) return false;
        await insertSegments(trx, run.id, segments);
        const deleted = await deleteChunks(trx, run.id);
        if (deleted !== chunks) throw new ChunksChangedError();
        await recordAudit(trx, actor, {
          action: "run.logs.prune",
          resourceType: "run",
          resourceId: run.id,
          after: { chunks, segments: segments.length, archiveKey: logArchiveKey(run.id) },
        });
        return true;
      });
      if (!pruned) continue;
      result.runs++;
      result.chunksDeleted += chunks;
      result.bytesArchived += text.size + segments.reduce((sum, segment) => sum + segment.bytes, 0);
    } catch (error) {
      result.failed++;
      if (error instanceof ChunksChangedError)
        log.info({ runId: run.id }, "a log chunk arrived while the log was pruned; pruning it later");
      else log.warn({ err: error, runId: run.id }, "could not prune the run's log; trying again later");
    }
  }
  result.more = attempted < candidates.length || (candidates.length === input.limit && result.runs > 0);
  await recordPass(deps.db, "pruneLogs", {
    runs: result.runs,
    chunksDeleted: result.chunksDeleted,
    bytesArchived: result.bytesArchived,
    failed: result.failed,
  });
  return result;
}

/**
 * Deletes runs finished more than `runRetentionDays` ago, after writing each one's record (run, tasks, artifacts;
 * no secrets) to `archives/runs/<yyyy>/<mm>/<runId>.json`. Then its objects go (artifacts, log archive, log segments),
 * then its rows (tasks, chunks, artifacts and segments cascade; runs it was the retry source of keep going, their
 * `retry_of` set null). Interrupted anywhere, the next call writes the same record again and finishes the job.
 */
export async function pruneRuns(
  deps: RetentionDeps,
  actor: AuditActor,
  input: { limit: number },
): Promise<TPruneRunsResponse> {
  const log = deps.log.child({ component: "retention" });
  const startedAt = Date.now();
  const candidates = await findRunPruneCandidates(
    deps.db,
    cutoffOf(policyOf(deps).runRetentionDays),
    input.limit,
  );
  const result = {
    runs: 0,
    tasksDeleted: 0,
    artifactsDeleted: 0,
    chunksDeleted: 0,
    objectsDeleted: 0,
    bytesArchived: 0,
    failed: 0,
    more: false,
  };
  let attempted = 0;
  for (const run of candidates) {
    if (Date.now() - startedAt > CALL_BUDGET_MS) break;
    attempted++;
    try {
      const archiveKey = runArchiveKey(run.id, new Date(run.created_at));
      const record = await deps.objectStore.put(
        archiveKey,
        textStream(
          runRecordJson(deps.db, run as unknown as Record<string, unknown> & { id: string }, new Date()),
        ),
        { contentType: RUN_ARCHIVE_CONTENT_TYPE },
      );
      const objects = await deleteRunObjects(deps, run.id, run.log_archive_key);
      const counts = await countRunRows(deps.db, run.id);
      const deleted = await deps.db.transaction().execute(async (trx) => {
        if (!(await deleteRun(trx, run.id))) return false;
        await recordAudit(trx, actor, {
          action: "run.prune",
          resourceType: "run",
          resourceId: run.id,
          before: {
            name: run.name,
            state: run.state,
            createdAt: new Date(run.created_at).toISOString(),
            finishedAt: run.finished_at ? new Date(run.finished_at).toISOString() : null,
            tasks: counts.tasks,
            artifacts: counts.artifacts,
          },
          after: { archiveKey },
        });
        return true;
      });
      result.objectsDeleted += objects;
      if (!deleted) continue;
      result.runs++;
      result.tasksDeleted += counts.tasks;
      result.artifactsDeleted += counts.artifacts;
      result.chunksDeleted += counts.chunks;
      result.bytesArchived += record.size;
    } catch (error) {
      result.failed++;
      log.warn({ err: error, runId: run.id }, "could not prune the run; trying again later");
    }
  }
  result.more = attempted < candidates.length || (candidates.length === input.limit && result.runs > 0);
  const { more: _more, ...counts } = result;
  await recordPass(deps.db, "pruneRuns", counts);
  return result;
}

/**
 * Removes a run's objects before its rows, so that nothing is left unreachable when the deletion is interrupted:
 * every object under `artifacts/<runId>/` (recorded or not), the log archive and the log segments. Returns how many.
 */
async function deleteRunObjects(
  deps: RetentionDeps,
  runId: string,
  logArchive: string | null,
): Promise<number> {
  const keys: string[] = [];
  for await (const object of deps.objectStore.list(`artifacts/${runId}/`)) keys.push(object.key);
  keys.push(...(await findSegmentKeys(deps.db, runId)));
  const archive = logArchive ?? logArchiveKey(runId);
  if (await deps.objectStore.head(archive)) keys.push(archive);
  for (const key of keys) await deps.objectStore.delete(key);
  return keys.length;
}

/** The retention policy and what the last maintenance calls did. */
export async function getMaintenanceStatus(
  deps: Pick<ExecutionServiceDeps, "db" | "retention">,
): Promise<TMaintenanceStatusResponse> {
  const passes = new Map((await findPasses(deps.db)).map((row) => [row.kind, row]));
  const pass = (kind: string) => {
    const row = passes.get(kind);
    return row
      ? { lastAt: new Date(row.last_at).toISOString(), last: row.last, totals: normalize(row.totals) }
      : null;
  };
  return { policy: policyOf(deps), pruneLogs: pass("pruneLogs"), pruneRuns: pass("pruneRuns") };
}

const normalize = (totals: Record<string, number | string>) =>
  Object.fromEntries(Object.entries(totals).map(([key, value]) => [key, Number(value)]));
