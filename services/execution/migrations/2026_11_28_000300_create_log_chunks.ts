import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // A run's output in the order the live stream gave it: the offset is the live stream's entry id (ms-seq).
  await db.schema
    .createTable("log_chunks")
    .addColumn("run_id", "uuid", (col) => col.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("offset_ms", "bigint", (col) => col.notNull())
    .addColumn("offset_seq", "integer", (col) => col.notNull())
    .addColumn("task_id", "uuid", (col) => col.notNull())
    .addColumn("stream", "text", (col) => col.notNull())
    .addColumn("data", "text", (col) => col.notNull())
    .addColumn("at", "timestamptz", (col) => col.notNull())
    .addPrimaryKeyConstraint("log_chunks_pkey", ["run_id", "offset_ms", "offset_seq"])
    .execute();
  await sql`create index log_chunks_task_idx on log_chunks (task_id, offset_ms, offset_seq)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("log_chunks").execute();
}
