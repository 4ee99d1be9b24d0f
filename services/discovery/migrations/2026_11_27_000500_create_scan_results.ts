import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("scan_results")
    .addColumn("run_id", "uuid", (col) => col.notNull().references("scan_runs.id").onDelete("cascade"))
    // inet: sorts addresses numerically and compares IPv6 forms canonically.
    .addColumn("address", sql`inet`, (col) => col.notNull())
    .addColumn("hostname", "text")
    .addColumn("os_hint", "text")
    .addColumn("ports", "jsonb", (col) => col.notNull())
    .addColumn("imported_target_id", "text")
    .addColumn("seen_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("scan_results_pkey", ["run_id", "address"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("scan_results").execute();
}
