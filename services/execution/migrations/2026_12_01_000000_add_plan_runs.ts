import { type Kysely, sql } from "kysely";

/**
 * Multi-step runs (a job version's plan): the run keeps its plan, job, parameters (secrets masked; their values
 * sealed in secret_env), trigger and lineage (parent step, retry or resume source, root); a task is one step on one
 * target, with the step's outputs, retries and why it was skipped. A job's concurrency policy holds a run (`held`)
 * while another run of the job is active.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("runs")
    .alterColumn("action", (col) => col.dropNotNull())
    .addColumn("plan", "jsonb")
    .addColumn("job_id", "uuid")
    .addColumn("job", "jsonb")
    .addColumn("parameters", "jsonb")
    .addColumn("secret_env", "jsonb")
    .addColumn("trigger", "jsonb")
    .addColumn("parent_run_id", "uuid")
    .addColumn("parent_task_id", "uuid")
    .addColumn("root_run_id", "uuid")
    .addColumn("retry_mode", "text")
    .addColumn("concurrency", "text", (col) => col.notNull().defaultTo("allow"))
    .addColumn("held", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("override_reason", "text")
    // Failed tasks whose step continues on error: they do not fail the run.
    .addColumn("tolerated", "integer", (col) => col.notNull().defaultTo(0))
    // target-first with a fan-out: targets started so far (in target order); step-first: the step running.
    .addColumn("started_targets", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("current_step", "integer", (col) => col.notNull().defaultTo(0))
    .execute();
  // A job's runs, newest first; the active and held runs of a job (concurrency policy).
  await sql`create index runs_job_created_idx on runs (job_id, created_at desc, id desc) where job_id is not null`.execute(
    db,
  );
  await sql`create index runs_job_active_idx on runs (job_id, created_at) where job_id is not null and state in ('queued', 'running', 'cancelling')`.execute(
    db,
  );
  await sql`create index runs_parent_idx on runs (parent_run_id) where parent_run_id is not null`.execute(db);
  await sql`create index runs_root_idx on runs (root_run_id, created_at) where root_run_id is not null`.execute(
    db,
  );

  await db.schema
    .alterTable("tasks")
    .addColumn("step_index", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("step_key", "text")
    .addColumn("outputs", "jsonb")
    .addColumn("tolerated", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("retries", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("not_before", "timestamptz")
    .addColumn("skip_reason", "text")
    .addColumn("child_run_id", "uuid")
    .execute();
  // A target's steps in a run (the next step, earlier outputs); a step's tasks (step-first barrier).
  await sql`create index tasks_run_target_step_idx on tasks (run_id, target_id, step_index)`.execute(db);
  await sql`create index tasks_run_step_idx on tasks (run_id, step_index, seq) where state in ('queued', 'running')`.execute(
    db,
  );
  // Tasks handed to workers and not finished: the fan-out window counts them.
  await sql`create index tasks_in_flight_idx on tasks (run_id) where enqueued_at is not null and state in ('queued', 'running')`.execute(
    db,
  );
  // Retries waiting out their backoff.
  await sql`create index tasks_delayed_idx on tasks (not_before) where state = 'queued' and enqueued_at is null and not_before is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    "tasks_delayed_idx",
    "tasks_in_flight_idx",
    "tasks_run_step_idx",
    "tasks_run_target_step_idx",
    "runs_root_idx",
    "runs_parent_idx",
    "runs_job_active_idx",
    "runs_job_created_idx",
  ])
    await sql`drop index ${sql.ref(index)}`.execute(db);
  await db.schema
    .alterTable("tasks")
    .dropColumn("step_index")
    .dropColumn("step_key")
    .dropColumn("outputs")
    .dropColumn("tolerated")
    .dropColumn("retries")
    .dropColumn("not_before")
    .dropColumn("skip_reason")
    .dropColumn("child_run_id")
    .execute();
  await db.schema
    .alterTable("runs")
    .dropColumn("plan")
    .dropColumn("job_id")
    .dropColumn("job")
    .dropColumn("parameters")
    .dropColumn("secret_env")
    .dropColumn("trigger")
    .dropColumn("parent_run_id")
    .dropColumn("parent_task_id")
    .dropColumn("root_run_id")
    .dropColumn("retry_mode")
    .dropColumn("concurrency")
    .dropColumn("held")
    .dropColumn("override_reason")
    .dropColumn("tolerated")
    .dropColumn("started_targets")
    .dropColumn("current_step")
    .execute();
}
