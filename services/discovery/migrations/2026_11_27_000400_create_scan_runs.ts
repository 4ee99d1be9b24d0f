import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("scan_runs")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("scan_id", "uuid", (col) => col.notNull().references("scans.id").onDelete("cascade"))
    .addColumn("status", "text", (col) =>
      col.notNull().check(sql`status in ('queued', 'running', 'completed', 'failed', 'cancelled')`),
    )
    .addColumn("trigger", "text", (col) => col.notNull().check(sql`trigger in ('manual', 'schedule')`))
    // A snapshot of the definition when the run was requested: editing the scan does not change a run.
    .addColumn("ranges", "jsonb", (col) => col.notNull())
    .addColumn("ports", "jsonb", (col) => col.notNull())
    .addColumn("timeout_ms", "integer", (col) => col.notNull())
    .addColumn("concurrency", "integer", (col) => col.notNull())
    .addColumn("reverse_dns", "boolean", (col) => col.notNull())
    .addColumn("addresses_total", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("addresses_done", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("probes_total", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("probes_done", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("hosts_found", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("error", "text")
    .addColumn("cancel_requested", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("requested_by", "text")
    .addColumn("scheduled_for", "timestamptz")
    .addColumn("enqueued_at", "timestamptz")
    // The stream message running the run (stable across its retries) and its last report.
    .addColumn("worker_message_id", "text")
    .addColumn("heartbeat_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .execute();
  await sql`create index scan_runs_scan_idx on scan_runs (scan_id, created_at desc)`.execute(db);
  await sql`create index scan_runs_active_idx on scan_runs (status) where status in ('queued', 'running')`.execute(
    db,
  );
  // One run per scheduled slot of a scan, whoever claims it.
  await sql`create unique index scan_runs_slot_key on scan_runs (scan_id, scheduled_for) where scheduled_for is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("scan_runs").execute();
}
