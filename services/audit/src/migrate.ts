import path from "node:path";
import { createDb, migrateToLatest } from "@opsc/db";
import { AUDIT_SCHEMA } from "./database.ts";

const MIGRATIONS_FOLDER = path.join(import.meta.dir, "..", "migrations");

export async function migrate(databaseUrl: string): Promise<void> {
  const { db } = createDb({ url: databaseUrl, schema: AUDIT_SCHEMA, poolMax: 2 });
  try {
    await migrateToLatest(db, { schema: AUDIT_SCHEMA, folder: MIGRATIONS_FOLDER });
  } finally {
    await db.destroy();
  }
}
