import { type Kysely, sql } from "kysely";

/** Records moved to the object store by retention: one row per archive object, in seq order. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("archives")
    .addColumn("to_seq", "bigint", (col) => col.primaryKey())
    .addColumn("from_seq", "bigint", (col) => col.notNull())
    .addColumn("record_count", "integer", (col) => col.notNull())
    .addColumn("first_prev_hash", "text", (col) => col.notNull())
    .addColumn("last_hash", "text", (col) => col.notNull())
    .addColumn("object_key", "text", (col) => col.notNull())
    .addColumn("sha256", "text", (col) => col.notNull())
    .addColumn("archived_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("archives").execute();
}
