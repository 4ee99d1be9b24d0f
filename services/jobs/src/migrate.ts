import path from "node:path";
import { createDb, migrateToLatest } from "@opsc/db";
import { JOBS_SCHEMA } from "./database.ts";

const MIGRATIONS_FOLDER = path.join(import.meta.dir, "..", "migrations");

/**
 * Applies the jobs schema's migrations in name order: the job definitions' files (`2026_12_01_0000NN_*`) sort
 * before the schedules', calendars' and webhooks' (`2026_12_01_1000NN_*`), which may reference `jobs`.
 */
export async function migrate(databaseUrl: string): Promise<void> {
  const { db } = createDb({ url: databaseUrl, schema: JOBS_SCHEMA, poolMax: 2 });
  try {
    await migrateToLatest(db, { schema: JOBS_SCHEMA, folder: MIGRATIONS_FOLDER });
  } finally {
    await db.destroy();
  }
}
