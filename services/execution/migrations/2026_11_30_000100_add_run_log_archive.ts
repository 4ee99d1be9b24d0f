import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // Where a finished run's whole log was written in the object store, and when (null: not yet; the reconciler
  // retries). Runs finished before this migration are archived by the reconciler too, a page per pass.
  await db.schema
    .alterTable("runs")
    .addColumn("log_archive_key", "text")
    .addColumn("log_archived_at", "timestamptz")
    .execute();
  await sql`create index runs_unarchived_idx on runs (finished_at) where finished_at is not null and log_archived_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index runs_unarchived_idx`.execute(db);
  await db.schema.alterTable("runs").dropColumn("log_archive_key").dropColumn("log_archived_at").execute();
}
