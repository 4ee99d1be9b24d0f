import { type Kysely, sql } from "kysely";

/**
 * The outbox tables every service that records audit records and domain events has, in its own schema. These
 * functions are what the services' first migrations run; they must never change (a change to an outbox table is a
 * new migration in each service), or a fresh install and an upgraded one would differ.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema's types exist.
export async function createAuditOutbox(db: Kysely<any>): Promise<void> {
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

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema's types exist.
export async function createEventOutbox(db: Kysely<any>): Promise<void> {
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
