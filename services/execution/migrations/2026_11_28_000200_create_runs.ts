import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("runs")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("state", "text", (col) => col.notNull())
    .addColumn("action", "jsonb", (col) => col.notNull())
    .addColumn("run_on", "text", (col) => col.notNull())
    .addColumn("selector", "text")
    .addColumn("env", "jsonb", (col) => col.notNull())
    .addColumn("sudo", "boolean", (col) => col.notNull())
    .addColumn("timeout_seconds", "integer", (col) => col.notNull())
    .addColumn("fan_out", "integer")
    .addColumn("failure_threshold", "jsonb")
    .addColumn("worker_group", "text", (col) => col.notNull())
    .addColumn("exclusive", "boolean", (col) => col.notNull())
    .addColumn("idempotency_key", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .addColumn("retry_of", "uuid", (col) => col.references("runs.id").onDelete("set null"))
    .addColumn("cancel_requested_by", "text")
    .addColumn("stop_reason", "text")
    // Counters kept by guarded task transitions: each transition is applied once, so the counters stay exact.
    .addColumn("total", "integer", (col) => col.notNull())
    .addColumn("queued", "integer", (col) => col.notNull())
    .addColumn("running", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("succeeded", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("failed", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("timed_out", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("cancelled", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("skipped", "integer", (col) => col.notNull().defaultTo(0))
    .execute();
  // The runs list: newest first, keyset on (created_at, id), with or without a state or a creator.
  await sql`create index runs_created_idx on runs (created_at desc, id desc)`.execute(db);
  await sql`create index runs_state_created_idx on runs (state, created_at desc, id desc)`.execute(db);
  await sql`create index runs_creator_created_idx on runs (created_by, created_at desc, id desc)`.execute(db);
  await sql`create unique index runs_idempotency_key on runs (created_by, idempotency_key) where idempotency_key is not null`.execute(
    db,
  );

  await db.schema
    .createTable("tasks")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("run_id", "uuid", (col) => col.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("target_id", "uuid", (col) => col.notNull())
    .addColumn("target_name", "text", (col) => col.notNull())
    .addColumn("target_address", "text", (col) => col.notNull())
    // What the task message carries about the target (credentials still sealed), for re-enqueueing.
    .addColumn("target", "jsonb", (col) => col.notNull())
    .addColumn("state", "text", (col) => col.notNull())
    .addColumn("attempt", "integer", (col) => col.notNull().defaultTo(1))
    .addColumn("enqueued_at", "timestamptz")
    .addColumn("exit_code", "integer")
    .addColumn("error", "jsonb")
    .addColumn("cancel", "jsonb")
    .addColumn("worker_id", "text")
    .addColumn("output_bytes", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .execute();
  await sql`create unique index tasks_run_seq_key on tasks (run_id, seq)`.execute(db);
  await sql`create index tasks_run_state_idx on tasks (run_id, state, seq)`.execute(db);
  await sql`create index tasks_target_idx on tasks (target_id, run_id)`.execute(db);
  // The reconciler and the fan-out window look only at unfinished tasks.
  await sql`create index tasks_active_idx on tasks (run_id, seq) where state in ('queued', 'running')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("tasks").execute();
  await db.schema.dropTable("runs").execute();
}
