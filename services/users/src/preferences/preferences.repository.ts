import type { Kysely, Transaction } from "kysely";
import type { UsersDatabase } from "../database.ts";
import type { PreferencesTable } from "./preferences.table.ts";

type Db = Kysely<UsersDatabase> | Transaction<UsersDatabase>;

export async function findByUserId(db: Db, userId: string) {
  return db.selectFrom("preferences").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

export async function upsert(trx: Transaction<UsersDatabase>, row: Omit<PreferencesTable, "updated_at">) {
  return trx
    .insertInto("preferences")
    .values({ ...row, updated_at: new Date() })
    .onConflict((oc) =>
      oc
        .column("user_id")
        .doUpdateSet({ theme: row.theme, time_zone: row.time_zone, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteByUserId(trx: Transaction<UsersDatabase>, userId: string) {
  return trx.deleteFrom("preferences").where("user_id", "=", userId).returningAll().executeTakeFirst();
}
