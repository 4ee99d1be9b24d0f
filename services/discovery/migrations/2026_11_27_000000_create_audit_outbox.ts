import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("audit_outbox")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("event_id", "uuid", (col) => col.notNull().unique())
    .addColumn("occurred_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("actor_type", "text", (col) => col.notNull())
    .addColumn("actor_id", "text")
    .addColumn("api_key_id", "text")
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("resource_type", "text", (col) => col.notNull())
    .addColumn("resource_id", "text")
    .addColumn("before", "jsonb")
    .addColumn("after", "jsonb")
    .addColumn("source_ip", "text")
    .addColumn("request_id", "text")
    .addColumn("published_at", "timestamptz")
    .execute();
  // The relay reads only unpublished rows, oldest first.
  await sql`create index audit_outbox_unpublished_idx on audit_outbox (id) where published_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("audit_outbox").execute();
}
