import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("records")
    .addColumn("seq", "bigint", (col) => col.primaryKey())
    .addColumn("event_id", "uuid", (col) => col.notNull().unique())
    .addColumn("service", "text", (col) => col.notNull())
    .addColumn("occurred_at", "timestamptz", (col) => col.notNull())
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
    .addColumn("stored_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("prev_hash", "text", (col) => col.notNull())
    .addColumn("hash", "text", (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex("records_occurred_at_idx")
    .on("records")
    .columns(["occurred_at", "seq"])
    .execute();
  await db.schema.createIndex("records_actor_idx").on("records").columns(["actor_id", "seq"]).execute();
  await db.schema.createIndex("records_action_idx").on("records").columns(["action", "seq"]).execute();
  await db.schema
    .createIndex("records_resource_idx")
    .on("records")
    .columns(["resource_type", "resource_id", "seq"])
    .execute();
  // The chain's head: one row, locked by the consumer while it appends a batch, so seq stays gap-free.
  await db.schema
    .createTable("chain_head")
    .addColumn("id", "integer", (col) => col.primaryKey().check(sql`id = 1`))
    .addColumn("seq", "bigint", (col) => col.notNull())
    .addColumn("hash", "text", (col) => col.notNull())
    .execute();
  await db
    .insertInto("chain_head")
    .values({ id: 1, seq: 0, hash: "0".repeat(64) })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("chain_head").execute();
  await db.schema.dropTable("records").execute();
}
