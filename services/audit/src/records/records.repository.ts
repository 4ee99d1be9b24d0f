import type { TAuditRecordFilters } from "@opsc/contracts/audit/records";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { AuditDatabase } from "../database.ts";
import type { RecordsTable } from "./records.table.ts";

type Db = Kysely<AuditDatabase> | Transaction<AuditDatabase>;

/** Locks the chain's head until the transaction ends: one appender at a time. */
export async function lockChainHead(trx: Transaction<AuditDatabase>) {
  return trx
    .selectFrom("chain_head")
    .select(["seq", "hash"])
    .where("id", "=", 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function findChainHead(db: Db) {
  return db.selectFrom("chain_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirstOrThrow();
}

export async function updateChainHead(trx: Transaction<AuditDatabase>, head: { seq: number; hash: string }) {
  await trx.updateTable("chain_head").set(head).where("id", "=", 1).execute();
}

export async function findStoredEventIds(db: Db, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await db.selectFrom("records").select("event_id").where("event_id", "in", eventIds).execute();
  return new Set(rows.map((row) => row.event_id));
}

export async function insertRecords(
  trx: Transaction<AuditDatabase>,
  rows: Omit<Selectable<RecordsTable>, "stored_at">[],
) {
  // 16 parameters a row: PostgreSQL allows 65,535 per statement.
  for (let start = 0; start < rows.length; start += 2000) {
    await trx
      .insertInto("records")
      .values(
        rows.slice(start, start + 2000).map((row) => ({
          ...row,
          before: row.before === null ? null : JSON.stringify(row.before),
          after: row.after === null ? null : JSON.stringify(row.after),
        })),
      )
      .execute();
  }
}

/** Rows in seq order after `afterSeq`, `limit` of them: the verifier's pages. */
export async function listRowsAfter(db: Db, afterSeq: number, limit: number) {
  return db
    .selectFrom("records")
    .selectAll()
    .where("seq", ">", String(afterSeq))
    .orderBy("seq")
    .limit(limit)
    .execute();
}

export async function findBySeq(db: Db, seq: number) {
  return db.selectFrom("records").selectAll().where("seq", "=", String(seq)).executeTakeFirst();
}

/** Newest first, keyset-paged on seq, filtered. */
export async function listFiltered(
  db: Db,
  filters: TAuditRecordFilters,
  page: { beforeSeq?: number; limit: number },
) {
  let query = db.selectFrom("records").selectAll();
  if (filters.actorId) query = query.where("actor_id", "=", filters.actorId);
  if (filters.apiKeyId) query = query.where("api_key_id", "=", filters.apiKeyId);
  if (filters.action) query = query.where("action", "=", filters.action);
  if (filters.service) query = query.where("service", "=", filters.service);
  if (filters.resourceType) query = query.where("resource_type", "=", filters.resourceType);
  if (filters.resourceId) query = query.where("resource_id", "=", filters.resourceId);
  if (filters.from) query = query.where("occurred_at", ">=", new Date(filters.from));
  if (filters.to) query = query.where("occurred_at", "<", new Date(filters.to));
  if (filters.text) {
    const pattern = `%${filters.text.replace(/[\\%_]/g, (match) => `\\${match}`)}%`;
    query = query.where((eb) =>
      eb.or([eb(sql`"before"::text`, "ilike", pattern), eb(sql`"after"::text`, "ilike", pattern)]),
    );
  }
  if (page.beforeSeq !== undefined) query = query.where("seq", "<", String(page.beforeSeq));
  return query.orderBy("seq", "desc").limit(page.limit).execute();
}

export async function listArchives(db: Db) {
  return db.selectFrom("archives").selectAll().orderBy("to_seq").execute();
}
