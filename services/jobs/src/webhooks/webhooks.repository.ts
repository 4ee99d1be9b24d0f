import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from "kysely";
import type { JobsDatabase } from "../database.ts";
import type { WebhookCallsTable, WebhooksTable } from "./webhooks.table.ts";

type Db = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

/** Deliveries kept per webhook: the newest ones; a flood of refused calls cannot grow the table without bound. */
export const KEPT_CALLS = 500;

export async function findById(db: Db, id: string) {
  return db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findByTokenHash(db: Db, tokenHash: string) {
  return db.selectFrom("webhooks").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

export async function lockById(trx: Transaction<JobsDatabase>, id: string) {
  return trx.selectFrom("webhooks").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function listByJob(db: Db, jobId: string) {
  return db
    .selectFrom("webhooks")
    .selectAll()
    .where("job_id", "=", jobId)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
}

export async function insert(trx: Transaction<JobsDatabase>, row: Insertable<WebhooksTable>) {
  return trx.insertInto("webhooks").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function update(trx: Transaction<JobsDatabase>, id: string, changes: Updateable<WebhooksTable>) {
  return trx
    .updateTable("webhooks")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function remove(trx: Transaction<JobsDatabase>, id: string) {
  await trx.deleteFrom("webhooks").where("id", "=", id).execute();
}

/** Records one call and forgets the oldest beyond {@link KEPT_CALLS}. */
export async function recordCall(db: Kysely<JobsDatabase>, row: Insertable<WebhookCallsTable>) {
  return db.transaction().execute(async (trx) => {
    const call = await trx.insertInto("webhook_calls").values(row).returning("id").executeTakeFirstOrThrow();
    await trx
      .updateTable("webhooks")
      .set({ last_called_at: sql<Date>`now()` })
      .where("id", "=", row.webhook_id)
      .execute();
    await trx
      .deleteFrom("webhook_calls")
      .where("webhook_id", "=", row.webhook_id)
      .where(
        "id",
        "not in",
        trx
          .selectFrom("webhook_calls")
          .select("id")
          .where("webhook_id", "=", row.webhook_id)
          .orderBy("received_at", "desc")
          .limit(KEPT_CALLS),
      )
      .execute();
    return call.id;
  });
}

export async function listCalls(db: Db, webhookId: string, limit: number, offset: number) {
  const query = db.selectFrom("webhook_calls").where("webhook_id", "=", webhookId);
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy("received_at", "desc").orderBy("id").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.total) };
}
