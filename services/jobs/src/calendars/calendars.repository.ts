import { containsPattern } from "@opsc/db/match";
import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from "kysely";
import type { JobsDatabase } from "../database.ts";
import type { CalendarsTable } from "./calendars.table.ts";

type Db = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

export async function findById(db: Db, id: string) {
  return db.selectFrom("calendars").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function lockById(trx: Transaction<JobsDatabase>, id: string) {
  return trx.selectFrom("calendars").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** Every calendar: a deployment has a handful, and each blackout check needs them all. */
export async function listAll(db: Db) {
  return db.selectFrom("calendars").selectAll().orderBy(sql`lower(name)`).execute();
}

export async function listPage(
  db: Db,
  input: { search?: string | undefined; limit: number; offset: number },
) {
  let query = db.selectFrom("calendars");
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

export async function insert(trx: Transaction<JobsDatabase>, row: Insertable<CalendarsTable>) {
  return trx.insertInto("calendars").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function update(
  trx: Transaction<JobsDatabase>,
  id: string,
  changes: Updateable<CalendarsTable>,
) {
  return trx
    .updateTable("calendars")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function remove(trx: Transaction<JobsDatabase>, id: string) {
  await trx.deleteFrom("calendars").where("id", "=", id).execute();
}
