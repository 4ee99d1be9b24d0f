import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from "kysely";
import type { DiscoveryDatabase } from "../database.ts";
import type { AllowedRangesTable } from "./ranges.table.ts";

type Db = Kysely<DiscoveryDatabase> | Transaction<DiscoveryDatabase>;

export async function list(db: Db) {
  // Numeric order (10.x after 9.x): the column is text, normalised, so the cast always succeeds.
  return db.selectFrom("allowed_ranges").selectAll().orderBy(sql`cidr::cidr`).execute();
}

export async function findById(db: Db, id: string) {
  return db.selectFrom("allowed_ranges").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function lockById(trx: Transaction<DiscoveryDatabase>, id: string) {
  return trx.selectFrom("allowed_ranges").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function listCidrs(db: Db): Promise<string[]> {
  const rows = await db.selectFrom("allowed_ranges").select("cidr").execute();
  return rows.map((row) => row.cidr);
}

export async function insert(trx: Transaction<DiscoveryDatabase>, row: Insertable<AllowedRangesTable>) {
  return trx.insertInto("allowed_ranges").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function update(
  trx: Transaction<DiscoveryDatabase>,
  id: string,
  changes: Updateable<AllowedRangesTable>,
) {
  return trx
    .updateTable("allowed_ranges")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function remove(trx: Transaction<DiscoveryDatabase>, id: string) {
  await trx.deleteFrom("allowed_ranges").where("id", "=", id).execute();
}
