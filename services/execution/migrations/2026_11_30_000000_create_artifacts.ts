import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // Files tasks saved; the bytes are in the object store under object_key. One row per (task, name): a
  // redelivered report writes the same row again.
  await db.schema
    .createTable("artifacts")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("run_id", "uuid", (col) => col.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("task_id", "uuid", (col) => col.notNull().references("tasks.id").onDelete("cascade"))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("size", "bigint", (col) => col.notNull())
    .addColumn("sha256", "text", (col) => col.notNull())
    .addColumn("content_type", "text", (col) => col.notNull())
    .addColumn("object_key", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("artifacts_task_name_key", ["task_id", "name"])
    .execute();
  // A run's artifacts, paged in creation order.
  await sql`create index artifacts_run_idx on artifacts (run_id, created_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("artifacts").execute();
}
