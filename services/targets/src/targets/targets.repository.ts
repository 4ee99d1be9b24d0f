import { equalsAnyIgnoringCase } from "@opsc/db/match";
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  sql,
  type Transaction,
  type Updateable,
} from "kysely";
import type { TargetsDatabase } from "../database.ts";
import type { TargetsTable } from "./targets.table.ts";

type Db = Kysely<TargetsDatabase> | Transaction<TargetsDatabase>;
export type TargetRowLike = Awaited<ReturnType<typeof findById>> & {};
export type TargetCondition = (eb: ExpressionBuilder<TargetsDatabase, "targets">) => Expression<SqlBool>;

export async function findById(db: Db, id: string) {
  return db.selectFrom("targets").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function lockById(trx: Transaction<TargetsDatabase>, id: string) {
  return trx.selectFrom("targets").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function findByNames(db: Db, names: string[]) {
  if (names.length === 0) return [];
  return db
    .selectFrom("targets")
    .selectAll()
    .where((eb) => equalsAnyIgnoringCase(eb, "name", names))
    .execute();
}

export async function findByAddresses(db: Db, addresses: string[]) {
  if (addresses.length === 0) return [];
  return db
    .selectFrom("targets")
    .selectAll()
    .where((eb) => equalsAnyIgnoringCase(eb, "address", addresses))
    .execute();
}

/**
 * One page in name order, after the cursor's position; `limit + 1` rows tell whether another page exists. Names are
 * unique case-insensitively (`targets_name_key`), so `lower(name)` alone orders the rows and the cursor condition is
 * a range on that index: the thousandth page costs what the first does.
 */
export async function listPage(
  db: Db,
  where: TargetCondition,
  limit: number,
  after: { name: string; id: string } | null,
) {
  let query = db.selectFrom("targets").selectAll().where(where);
  if (after) query = query.where(sql`lower(name)`, ">", after.name.toLowerCase());
  return query
    .orderBy(sql`lower(name)`)
    .limit(limit + 1)
    .execute();
}

export async function count(db: Db, where: TargetCondition): Promise<number> {
  const row = await db
    .selectFrom("targets")
    .select((eb) => eb.fn.countAll<number>().as("total"))
    .where(where)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function listMatching(db: Db, where: TargetCondition, limit?: number) {
  let query = db.selectFrom("targets").selectAll().where(where).orderBy(sql`lower(name)`).orderBy("id");
  if (limit !== undefined) query = query.limit(limit);
  return query.execute();
}

/** PostgreSQL takes at most 65,535 parameters per statement; a target row has about 20. */
const INSERT_CHUNK = 1000;

export async function insert(
  trx: Transaction<TargetsDatabase>,
  values: Omit<TargetsTable, "id" | "health_status" | "created_at" | "updated_at">[],
) {
  const rows = [];
  for (let start = 0; start < values.length; start += INSERT_CHUNK) {
    rows.push(
      ...(await trx
        .insertInto("targets")
        .values(values.slice(start, start + INSERT_CHUNK))
        .returningAll()
        .execute()),
    );
  }
  return rows;
}

export async function update(
  trx: Transaction<TargetsDatabase>,
  id: string,
  changes: Updateable<TargetsTable>,
) {
  return trx
    .updateTable("targets")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateWhere(
  trx: Transaction<TargetsDatabase>,
  where: TargetCondition,
  changes: Updateable<TargetsTable>,
) {
  return trx
    .updateTable("targets")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where(where)
    .returning(["id", "name"])
    .execute();
}

export async function deleteWhere(trx: Transaction<TargetsDatabase>, where: TargetCondition) {
  return trx.deleteFrom("targets").where(where).returning(["id", "name"]).execute();
}

export async function countByCredential(db: Db, credentialIds: string[]) {
  if (credentialIds.length === 0) return new Map<string, number>();
  const rows = await db
    .selectFrom("targets")
    .select(["credential_id", "sudo_credential_id"])
    .where((eb) =>
      eb.or([eb("credential_id", "in", credentialIds), eb("sudo_credential_id", "in", credentialIds)]),
    )
    .execute();
  const counts = new Map<string, number>();
  for (const row of rows) {
    for (const id of new Set([row.credential_id, row.sudo_credential_id]))
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Adds or overwrites tags on every matching target, keeping its other tags. */
export async function mergeTagsWhere(
  trx: Transaction<TargetsDatabase>,
  where: TargetCondition,
  tags: Record<string, string>,
) {
  return trx
    .updateTable("targets")
    .set({ tags: sql`targets.tags || ${JSON.stringify(tags)}::jsonb`, updated_at: sql<Date>`now()` })
    .where(where)
    .returning(["id", "name"])
    .execute();
}

export async function removeTagsWhere(
  trx: Transaction<TargetsDatabase>,
  where: TargetCondition,
  keys: string[],
) {
  return trx
    .updateTable("targets")
    .set({ tags: sql`targets.tags - ${keys}::text[]`, updated_at: sql<Date>`now()` })
    .where(where)
    .returning(["id", "name"])
    .execute();
}
