import { type Kysely, sql } from "kysely";

/**
 * Finished runs, oldest first: what pruneRuns takes a page of (pruned runs are deleted, so the page starts at the
 * oldest run left).
 * (Not CONCURRENTLY: the migrator runs each migration in a transaction.)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index runs_finished_idx on runs (finished_at) where finished_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index runs_finished_idx`.execute(db);
}
