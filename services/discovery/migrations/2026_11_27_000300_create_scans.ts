import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("scans")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("description", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("ranges", "jsonb", (col) => col.notNull())
    .addColumn("ports", "jsonb", (col) => col.notNull())
    .addColumn("timeout_ms", "integer", (col) => col.notNull())
    .addColumn("concurrency", "integer", (col) => col.notNull())
    .addColumn("reverse_dns", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("address_count", "integer", (col) => col.notNull())
    .addColumn("schedule_cron", "text")
    .addColumn("schedule_time_zone", "text")
    // The next scheduled start. Claiming a due scan moves it forward in the same transaction that creates the
    // run, so a restarted or second worker never starts the same slot twice.
    .addColumn("next_run_at", "timestamptz")
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index scans_name_key on scans (lower(name))`.execute(db);
  await sql`create index scans_due_idx on scans (next_run_at) where next_run_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("scans").execute();
}
