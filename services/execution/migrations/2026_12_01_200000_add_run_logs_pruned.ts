import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // When the run's log chunks left PostgreSQL for the object store (retention); null while they are here.
  await db.schema.alterTable("runs").addColumn("logs_pruned_at", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("runs").dropColumn("logs_pruned_at").execute();
}
