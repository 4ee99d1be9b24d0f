import { type Kysely, sql } from "kysely";

/**
 * Finished runs whose log is archived and still in PostgreSQL, oldest first: what pruneLogs takes a page of. A run
 * leaves the index once pruned, so the page never walks over pruned runs. (Not CONCURRENTLY: the migrator runs each
 * migration in a transaction.)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index runs_logs_prunable_idx on runs (finished_at) where log_archived_at is not null and logs_pruned_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index runs_logs_prunable_idx`.execute(db);
}
