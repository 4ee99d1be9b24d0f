import type { TRunProgress, TRunStatus } from "@opsc/contracts/discovery/runs";
import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from "kysely";
import type { DiscoveryDatabase } from "../database.ts";
import type { ScanRunsTable } from "./runs.table.ts";

type Db = Kysely<DiscoveryDatabase> | Transaction<DiscoveryDatabase>;

const ACTIVE: TRunStatus[] = ["queued", "running"];

function withScanName(db: Db) {
  return db
    .selectFrom("scan_runs")
    .innerJoin("scans", "scans.id", "scan_runs.scan_id")
    .selectAll("scan_runs")
    .select("scans.name as scan_name");
}

export async function findById(db: Db, id: string) {
  return withScanName(db).where("scan_runs.id", "=", id).executeTakeFirst();
}

export async function lockById(trx: Transaction<DiscoveryDatabase>, id: string) {
  return trx.selectFrom("scan_runs").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function listPage(
  db: Db,
  input: { scanId?: string | undefined; status?: TRunStatus | undefined; limit: number; offset: number },
) {
  let rows = withScanName(db);
  let count = db.selectFrom("scan_runs").select((eb) => eb.fn.countAll<number>().as("total"));
  if (input.scanId) {
    rows = rows.where("scan_runs.scan_id", "=", input.scanId);
    count = count.where("scan_id", "=", input.scanId);
  }
  if (input.status) {
    rows = rows.where("scan_runs.status", "=", input.status);
    count = count.where("status", "=", input.status);
  }
  const [items, total] = await Promise.all([
    rows
      .orderBy("scan_runs.created_at", "desc")
      .orderBy("scan_runs.id")
      .limit(input.limit)
      .offset(input.offset)
      .execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { rows: items, total: Number(total.total) };
}

/** The newest run of each scan. */
export async function latestByScans(db: Db, scanIds: string[]) {
  if (scanIds.length === 0) return new Map<string, Awaited<ReturnType<typeof lockById>> & {}>();
  const rows = await db
    .selectFrom("scan_runs")
    .selectAll()
    .distinctOn("scan_id")
    .where("scan_id", "in", scanIds)
    .orderBy("scan_id")
    .orderBy("created_at", "desc")
    .execute();
  return new Map(rows.map((row) => [row.scan_id, row]));
}

export async function hasActiveRun(db: Db, scanId: string): Promise<boolean> {
  const row = await db
    .selectFrom("scan_runs")
    .select("id")
    .where("scan_id", "=", scanId)
    .where("status", "in", ACTIVE)
    .executeTakeFirst();
  return row !== undefined;
}

/** The newest completed run of the scan before `before`: what a run's diff compares with. */
export async function findPreviousCompleted(db: Db, scanId: string, before: Date) {
  return db
    .selectFrom("scan_runs")
    .selectAll()
    .where("scan_id", "=", scanId)
    .where("status", "=", "completed")
    .where("created_at", "<", before)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

export async function insert(trx: Transaction<DiscoveryDatabase>, row: Insertable<ScanRunsTable>) {
  return trx.insertInto("scan_runs").values(row).returningAll().executeTakeFirstOrThrow();
}

/** A scheduled slot's run; null when the slot already has one (another claimer got there first). */
export async function insertForSlot(trx: Transaction<DiscoveryDatabase>, row: Insertable<ScanRunsTable>) {
  const inserted = await trx
    .insertInto("scan_runs")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["scan_id", "scheduled_for"]).where("scheduled_for", "is not", null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return inserted ?? null;
}

export async function update(trx: Db, id: string, changes: Updateable<ScanRunsTable>) {
  return trx.updateTable("scan_runs").set(changes).where("id", "=", id).returningAll().executeTakeFirst();
}

const progressColumns = (progress: TRunProgress) => ({
  addresses_total: progress.addressesTotal,
  addresses_done: progress.addressesDone,
  probes_total: progress.probesTotal,
  probes_done: progress.probesDone,
  hosts_found: progress.hostsFound,
});

/**
 * queued → running, or a running run taken over: by a retry of the same message (its id is stable across
 * retries and reclaims), or by anyone once the run has not reported for `staleAfterMs` (its worker died).
 * A guarded update, so two deliveries never both start the run.
 */
export async function claimForWorker(
  trx: Transaction<DiscoveryDatabase>,
  id: string,
  messageId: string,
  staleAfterMs: number,
) {
  return trx
    .updateTable("scan_runs")
    .set({
      status: "running",
      started_at: sql<Date>`coalesce(started_at, now())`,
      heartbeat_at: sql<Date>`now()`,
      worker_message_id: messageId,
    })
    .where("id", "=", id)
    .where("cancel_requested", "=", false)
    .where((eb) =>
      eb.or([
        eb("status", "=", "queued"),
        eb.and([
          eb("status", "=", "running"),
          eb.or([
            eb("worker_message_id", "=", messageId),
            eb("heartbeat_at", "<", sql<Date>`now() - make_interval(secs => ${staleAfterMs / 1000})`),
          ]),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Progress from the worker that holds the run; nothing when another holds it or it is finished. */
export async function recordProgress(
  trx: Transaction<DiscoveryDatabase>,
  id: string,
  messageId: string,
  progress: TRunProgress,
) {
  return trx
    .updateTable("scan_runs")
    .set({ ...progressColumns(progress), heartbeat_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("status", "=", "running")
    .where("worker_message_id", "=", messageId)
    .returning(["id", "cancel_requested"])
    .executeTakeFirst();
}

/** running → final, by the worker that holds the run. */
export async function finish(
  trx: Transaction<DiscoveryDatabase>,
  id: string,
  messageId: string,
  changes: { status: TRunStatus; error: string | null; progress: TRunProgress },
) {
  return trx
    .updateTable("scan_runs")
    .set({
      ...progressColumns(changes.progress),
      status: changes.status,
      error: changes.error,
      finished_at: sql<Date>`now()`,
      heartbeat_at: sql<Date>`now()`,
    })
    .where("id", "=", id)
    .where("status", "=", "running")
    .where("worker_message_id", "=", messageId)
    .returningAll()
    .executeTakeFirst();
}

/** Running runs whose worker stopped reporting long ago (and whose retries ran out): failed. */
export async function failSilentRuns(trx: Transaction<DiscoveryDatabase>, heartbeatTimeoutMs: number) {
  return trx
    .updateTable("scan_runs")
    .set({
      status: "failed",
      error: "The worker running this scan stopped reporting",
      finished_at: sql<Date>`now()`,
    })
    .where("status", "=", "running")
    .where("heartbeat_at", "<", sql<Date>`now() - make_interval(secs => ${heartbeatTimeoutMs / 1000})`)
    .returning(["id", "scan_id"])
    .execute();
}

/** Queued runs not started since they were last enqueued `olderThanMs` ago (or never enqueued), locked. */
export async function lockUnstarted(trx: Transaction<DiscoveryDatabase>, olderThanMs: number, limit: number) {
  return trx
    .selectFrom("scan_runs")
    .select("id")
    .where("status", "=", "queued")
    .where(
      sql<Date>`coalesce(enqueued_at, created_at)`,
      "<",
      sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`,
    )
    .orderBy("created_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markEnqueued(db: Db, ids: string[]) {
  if (ids.length === 0) return;
  await db.updateTable("scan_runs").set({ enqueued_at: sql<Date>`now()` }).where("id", "in", ids).execute();
}
