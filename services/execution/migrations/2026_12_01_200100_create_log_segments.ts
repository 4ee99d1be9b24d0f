import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // A pruned run's log chunks, in offset order, as NDJSON objects of a few MB each: one row per object, with its
  // first and last offsets (a page after an offset starts at the right object) and the tasks it holds (one task's
  // log skips the others).
  await db.schema
    .createTable("log_segments")
    .addColumn("run_id", "uuid", (col) => col.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("object_key", "text", (col) => col.notNull())
    .addColumn("first_offset_ms", "bigint", (col) => col.notNull())
    .addColumn("first_offset_seq", "integer", (col) => col.notNull())
    .addColumn("last_offset_ms", "bigint", (col) => col.notNull())
    .addColumn("last_offset_seq", "integer", (col) => col.notNull())
    .addColumn("chunks", "integer", (col) => col.notNull())
    .addColumn("bytes", "bigint", (col) => col.notNull())
    .addColumn("task_ids", sql`uuid[]`, (col) => col.notNull())
    .addPrimaryKeyConstraint("log_segments_pkey", ["run_id", "seq"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("log_segments").execute();
}
