import type { Insertable, Kysely, Transaction, Updateable } from "kysely";
import { sql } from "kysely";
import type { TargetsDatabase } from "../database.ts";
import type { CredentialsTable } from "./credentials.table.ts";

type Db = Kysely<TargetsDatabase> | Transaction<TargetsDatabase>;

export async function findById(db: Db, id: string) {
  return db.selectFrom("credentials").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findByIds(db: Db, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom("credentials").selectAll().where("id", "in", ids).execute();
}

export async function list(db: Db) {
  return db.selectFrom("credentials").selectAll().orderBy(sql`lower(name)`).execute();
}

export async function insert(trx: Transaction<TargetsDatabase>, row: Insertable<CredentialsTable>) {
  return trx.insertInto("credentials").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function update(
  trx: Transaction<TargetsDatabase>,
  id: string,
  changes: Updateable<CredentialsTable>,
) {
  return trx
    .updateTable("credentials")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function lockById(trx: Transaction<TargetsDatabase>, id: string) {
  return trx.selectFrom("credentials").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function remove(trx: Transaction<TargetsDatabase>, id: string) {
  await trx.deleteFrom("credentials").where("id", "=", id).execute();
}

/** For key rotation: every sealed secret, a batch at a time, locked. */
export async function lockBatchAfter(
  trx: Transaction<TargetsDatabase>,
  afterId: string | null,
  limit: number,
) {
  let query = trx
    .selectFrom("credentials")
    .select(["id", "secret_sealed"])
    .orderBy("id")
    .limit(limit)
    .forUpdate();
  if (afterId) query = query.where("id", ">", afterId);
  return query.execute();
}
