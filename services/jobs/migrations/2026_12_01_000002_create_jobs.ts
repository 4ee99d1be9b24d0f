import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("jobs")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("name", "text", (col) => col.notNull())
    // Copied from the latest version's definition, for the list's filters.
    .addColumn("folder", "text", (col) => col.notNull())
    .addColumn("tags", sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("owner", "text")
    .addColumn("latest_version", "integer", (col) => col.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // Names are unique whatever their case; the list pages through them in this order.
  await sql`create unique index jobs_name_key on jobs (lower(name))`.execute(db);
  // Folder filters are prefix matches ("/db" and everything below it).
  await sql`create index jobs_folder_idx on jobs (folder text_pattern_ops)`.execute(db);
  await sql`create index jobs_tags_idx on jobs using gin (tags)`.execute(db);
  await sql`create index jobs_owner_idx on jobs (owner, lower(name))`.execute(db);

  await db.schema
    .createTable("job_versions")
    .addColumn("job_id", "uuid", (col) => col.notNull().references("jobs.id").onDelete("cascade"))
    .addColumn("version", "integer", (col) => col.notNull())
    // The full definition as validated (defaults explicit); a version is never updated.
    .addColumn("definition", "jsonb", (col) => col.notNull())
    .addColumn("message", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("job_versions_pkey", ["job_id", "version"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("job_versions").execute();
  await db.schema.dropTable("jobs").execute();
}
