import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("schedules")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("job_id", "uuid", (col) => col.notNull().references("jobs.id").onDelete("cascade"))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull().check(sql`kind in ('cron', 'once', 'interval')`))
    .addColumn("cron", "text")
    .addColumn("time_zone", "text", (col) => col.notNull().defaultTo("UTC"))
    .addColumn("at", "timestamptz")
    .addColumn("interval_seconds", "integer")
    // Interval slots are anchor + k × interval_seconds (k ≥ 1); the creation time, or the last timing change.
    .addColumn("anchor_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    // Plain parameter values; secret ones live sealed in secret_parameters (a JSON object, sealed whole).
    .addColumn("parameters", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("secret_parameters", "text")
    // Which secret parameters have a stored value: shown without opening the vault.
    .addColumn("secret_parameter_names", sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("paused", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("misfire_policy", "text", (col) =>
      col.notNull().check(sql`misfire_policy in ('skip', 'run-once')`),
    )
    .addColumn("blackout_policy", "text", (col) =>
      col.notNull().check(sql`blackout_policy in ('skip', 'hold')`),
    )
    // The pending slot. Firing it moves it on in the same transaction that records the fire.
    .addColumn("next_fire_at", "timestamptz")
    // While a blackout window holds the pending slot: when to try it again.
    .addColumn("held_until", "timestamptz")
    .addColumn("last_fired_at", "timestamptz")
    .addColumn("last_outcome", "text")
    .addColumn("owner", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index schedules_job_name_key on schedules (job_id, lower(name))`.execute(db);
  // What the scheduler asks every second: the pending slots whose time (or hold) has come.
  await sql`create index schedules_due_idx on schedules ((coalesce(held_until, next_fire_at)))
    where not paused and next_fire_at is not null`.execute(db);
  await sql`create index schedules_next_fire_idx on schedules (next_fire_at)`.execute(db);

  await db.schema
    .createTable("schedule_fires")
    .addColumn("schedule_id", "uuid", (col) => col.notNull().references("schedules.id").onDelete("cascade"))
    // The slot's instant: the key that makes a slot fire at most once, whichever scheduler got there.
    .addColumn("slot", "timestamptz", (col) => col.notNull())
    .addColumn("outcome", "text", (col) =>
      col
        .notNull()
        .check(
          sql`outcome in ('started', 'queued', 'skipped-concurrency', 'skipped-blackout', 'held', 'missed', 'failed')`,
        ),
    )
    .addColumn("run_id", "uuid")
    .addColumn("reason", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    // A held slot's row is updated once more, when the slot finally fires.
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("schedule_fires_pkey", ["schedule_id", "slot"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("schedule_fires").execute();
  await db.schema.dropTable("schedules").execute();
}
