import path from "node:path";
import { createDb, migrateToLatest } from "@opsc/db";
import { getMigrations } from "better-auth/db/migration";
import { AUTH_SCHEMA, createBetterAuth } from "./better-auth.ts";

const MIGRATIONS_FOLDER = path.join(import.meta.dir, "..", "migrations");

/** Applies the auth schema: better-auth's tables (its own migration planner) and ours. */
export async function migrate(databaseUrl: string): Promise<void> {
  const { db, pool } = createDb({ url: databaseUrl, schema: AUTH_SCHEMA, poolMax: 2 });
  try {
    await migrateToLatest(db, { schema: AUTH_SCHEMA, folder: MIGRATIONS_FOLDER });
    // The secret is never used here: the planner only reads the table definitions from the options.
    const planner = createBetterAuth({
      db,
      secret: crypto.randomUUID() + crypto.randomUUID(),
      publicUrl: "http://127.0.0.1",
      signInRateLimit: { max: 1, windowSeconds: 1 },
      quiet: true,
    });
    const { runMigrations } = await getMigrations(planner.options);
    await runMigrations();
  } finally {
    await db.destroy().catch(() => pool.end());
  }
}
