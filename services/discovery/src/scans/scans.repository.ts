import { containsPattern } from "@opsc/db/match";
import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from "kysely";
import type { DiscoveryDatabase } from "../database.ts";
import type { ScansTable } from "./scans.table.ts";

type Db = Kysely<DiscoveryDatabase> | Transaction<DiscoveryDatabase>;

export async function findById(db: Db, id: string) {
  return db.selectFrom("scans").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function lockById(trx: Transaction<DiscoveryDatabase>, id: string) {
  return trx.selectFrom("scans").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function listPage(
  db: Db,
  input: { search?: string | undefined; limit: number; offset: number },
) {
  let query = db.selectFrom("scans");
  if (input.search) query = query.where(sql<boolean>`name ilike ${containsPattern(input.search)}`);
  const [rows, total] = await Promise.all([
    query
      .selectAll()
      .orderBy(sql`lower(name)`)
      .orderBy("id")
      .limit(input.limit)
      .offset(input.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.total) };
}

export async function insert(trx: Transaction<DiscoveryDatabase>, row: Insertable<ScansTable>) {
  return trx.insertInto("scans").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function update(
  trx: Transaction<DiscoveryDatabase>,
  id: string,
  changes: Updateable<ScansTable>,
) {
  return trx
    .updateTable("scans")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function remove(trx: Transaction<DiscoveryDatabase>, id: string) {
  await trx.deleteFrom("scans").where("id", "=", id).execute();
}

/** Scheduled scans whose slot has come, locked; rows another claimer holds are skipped, never waited for. */
export async function lockDue(trx: Transaction<DiscoveryDatabase>, limit: number) {
  return trx
    .selectFrom("scans")
    .selectAll()
    .where("next_run_at", "<=", sql<Date>`now()`)
    .orderBy("next_run_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function setNextRunAt(trx: Transaction<DiscoveryDatabase>, id: string, nextRunAt: Date | null) {
  await trx.updateTable("scans").set({ next_run_at: nextRunAt }).where("id", "=", id).execute();
}
