import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // What each kind of maintenance did last and in all (execution.maintenance.status), one row per kind.
  await db.schema
    .createTable("maintenance_passes")
    .addColumn("kind", "text", (col) => col.primaryKey())
    .addColumn("last_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last", "jsonb", (col) => col.notNull())
    .addColumn("totals", "jsonb", (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("maintenance_passes").execute();
}
