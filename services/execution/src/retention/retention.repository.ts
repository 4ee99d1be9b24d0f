import { type Kysely, sql, type Transaction } from "kysely";
import type { ExecutionDatabase } from "../database.ts";
import type { WrittenSegment } from "./log-segments.ts";

type Db = Kysely<ExecutionDatabase> | Transaction<ExecutionDatabase>;

/** Finished runs whose log is archived and still in PostgreSQL, finished before `cutoff`, oldest first. */
export function findLogPruneCandidates(db: Db, cutoff: Date, limit: number) {
  return db
    .selectFrom("runs")
    .select(["id", "name", "finished_at"])
    .where("finished_at", "<", cutoff)
    .where("log_archived_at", "is not", null)
    .where("logs_pruned_at", "is", null)
    .orderBy("finished_at")
    .limit(limit)
    .execute();
}

/** Runs finished before `cutoff`, oldest first, whole rows (their record is archived as is). */
export function findRunPruneCandidates(db: Db, cutoff: Date, limit: number) {
  return db
    .selectFrom("runs")
    .selectAll()
    .where("finished_at", "is not", null)
    .where("finished_at", "<", cutoff)
    .orderBy("finished_at")
    .limit(limit)
    .execute();
}

/** Marks the run's logs pruned; false when it already was (another call got there first). */
export async function markLogsPruned(trx: Transaction<ExecutionDatabase>, runId: string): Promise<boolean> {
  const marked = await trx
    .updateTable("runs")
    .set({ logs_pruned_at: sql<Date>`now()` })
    .where("id", "=", runId)
    .where("logs_pruned_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return marked !== undefined;
}

export async function insertSegments(
  trx: Transaction<ExecutionDatabase>,
  runId: string,
  segments: WrittenSegment[],
): Promise<void> {
  if (segments.length === 0) return;
  await trx
    .insertInto("log_segments")
    .values(
      segments.map((segment) => ({
        run_id: runId,
        seq: segment.seq,
        object_key: segment.objectKey,
        first_offset_ms: segment.first.ms,
        first_offset_seq: segment.first.seq,
        last_offset_ms: segment.last.ms,
        last_offset_seq: segment.last.seq,
        chunks: segment.chunks,
        bytes: segment.bytes,
        task_ids: sql<string[]>`${segment.taskIds}::uuid[]`,
      })),
    )
    .execute();
}

/** Deletes the run's log chunks; returns how many. */
export async function deleteChunks(trx: Transaction<ExecutionDatabase>, runId: string): Promise<number> {
  const result = await trx.deleteFrom("log_chunks").where("run_id", "=", runId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many tasks, artifacts and log chunks a run has. */
export async function countRunRows(db: Db, runId: string) {
  const row = await sql<{ tasks: number; artifacts: number; chunks: number }>`
    select (select count(*) from tasks where run_id = ${runId})::int as tasks,
           (select count(*) from artifacts where run_id = ${runId})::int as artifacts,
           (select count(*) from log_chunks where run_id = ${runId})::int as chunks
  `.execute(db);
  return row.rows[0]!;
}

export function findSegmentKeys(db: Db, runId: string) {
  return db
    .selectFrom("log_segments")
    .select("object_key")
    .where("run_id", "=", runId)
    .orderBy("seq")
    .execute()
    .then((rows) => rows.map((row) => row.object_key));
}

/** Deletes the run (tasks, chunks, artifacts and segments cascade); false when it was gone already. */
export async function deleteRun(trx: Transaction<ExecutionDatabase>, runId: string): Promise<boolean> {
  const result = await trx.deleteFrom("runs").where("id", "=", runId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Adds one call's counts to its kind's row: the last call's counts and the totals. */
export async function recordPass(db: Db, kind: string, counts: Record<string, number>): Promise<void> {
  const last = JSON.stringify(counts);
  await sql`
    insert into maintenance_passes (kind, last_at, last, totals) values (${kind}, now(), ${last}::jsonb, ${last}::jsonb)
    on conflict (kind) do update set last_at = now(), last = excluded.last,
      totals = (select jsonb_object_agg(key, coalesce((maintenance_passes.totals ->> key)::bigint, 0) + value::bigint)
                from jsonb_each_text(excluded.last))
  `.execute(db);
}

export function findPasses(db: Db) {
  return db.selectFrom("maintenance_passes").selectAll().execute();
}
