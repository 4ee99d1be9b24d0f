import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("event_outbox")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("event_id", "uuid", (col) => col.notNull().unique())
    .addColumn("type", "text", (col) => col.notNull())
    .addColumn("payload", "jsonb", (col) => col.notNull())
    .addColumn("occurred_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("published_at", "timestamptz")
    .execute();
  await sql`create index event_outbox_unpublished_idx on event_outbox (id) where published_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("event_outbox").execute();
}
