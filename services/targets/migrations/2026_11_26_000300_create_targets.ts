import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("targets")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("address", "text", (col) => col.notNull())
    .addColumn("port", "integer", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull().check(sql`kind in ('ssh', 'http')`))
    .addColumn("tags", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("description", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("enabled", "boolean", (col) => col.notNull().defaultTo(true))
    .addColumn("maintenance", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("owner_id", "text")
    .addColumn("credential_id", "uuid", (col) => col.references("credentials.id").onDelete("restrict"))
    .addColumn("sudo_credential_id", "uuid", (col) => col.references("credentials.id").onDelete("restrict"))
    .addColumn("http_options", "jsonb")
    .addColumn("health_interval_seconds", "integer")
    .addColumn("health_status", "text", (col) => col.notNull().defaultTo("unknown"))
    .addColumn("health_latency_ms", "integer")
    .addColumn("health_error", "text")
    .addColumn("health_checked_at", "timestamptz")
    .addColumn("health_changed_at", "timestamptz")
    // A sweep claims a target until this time so that two sweeps never check it twice.
    .addColumn("health_claimed_until", "timestamptz")
    .addColumn("host_key_algorithm", "text")
    .addColumn("host_key_fingerprint", "text")
    .addColumn("host_key_pinned_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index targets_name_key on targets (lower(name))`.execute(db);
  await sql`create index targets_tags_idx on targets using gin (tags jsonb_path_ops)`.execute(db);
  await sql`create index targets_address_idx on targets (lower(address))`.execute(db);
  await sql`create index targets_health_idx on targets (health_status)`.execute(db);
  await sql`create index targets_due_idx on targets (health_checked_at nulls first) where enabled and not maintenance`.execute(
    db,
  );
  await db.schema
    .createTable("health_checks")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("target_id", "uuid", (col) => col.notNull().references("targets.id").onDelete("cascade"))
    .addColumn("status", "text", (col) => col.notNull())
    .addColumn("latency_ms", "integer")
    .addColumn("error", "text")
    .addColumn("checked_at", "timestamptz", (col) => col.notNull())
    .execute();
  await sql`create index health_checks_target_idx on health_checks (target_id, checked_at desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("health_checks").execute();
  await db.schema.dropTable("targets").execute();
}
