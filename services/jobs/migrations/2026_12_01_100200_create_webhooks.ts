import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("webhooks")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("job_id", "uuid", (col) => col.notNull().references("jobs.id").onDelete("cascade"))
    .addColumn("name", "text", (col) => col.notNull())
    // sha256 (hex) of the URL token: the token itself is shown once and never stored.
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    // The HMAC key, sealed with the vault (owner: the webhook's id).
    .addColumn("secret_sealed", "text", (col) => col.notNull())
    .addColumn("parameter_mapping", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("static_parameters", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("secret_parameters", "text")
    // Which secret parameters have a stored value: shown without opening the vault.
    .addColumn("secret_parameter_names", sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("enabled", "boolean", (col) => col.notNull().defaultTo(true))
    .addColumn("last_called_at", "timestamptz")
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index webhooks_job_name_key on webhooks (job_id, lower(name))`.execute(db);

  await db.schema
    .createTable("webhook_calls")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("webhook_id", "uuid", (col) => col.notNull().references("webhooks.id").onDelete("cascade"))
    .addColumn("received_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("status", "integer", (col) => col.notNull())
    .addColumn("outcome", "text", (col) => col.notNull())
    .addColumn("reason", "text")
    .addColumn("run_id", "uuid")
    .addColumn("source_ip", "text")
    .addColumn("request_id", "text")
    .execute();
  await sql`create index webhook_calls_webhook_idx on webhook_calls (webhook_id, received_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("webhook_calls").execute();
  await db.schema.dropTable("webhooks").execute();
}
