import { promises as fs } from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import { FileMigrationProvider, type MigrationResultSet, Migrator } from "kysely/migration";
import pg from "pg";

// int8 (bigserial ids, counts) as JavaScript numbers: our ids stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export interface DatabaseOptions {
  url: string;
  /** The PostgreSQL schema this service owns; it is the connection's search_path. */
  schema: string;
  poolMax?: number;
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function createPool(options: DatabaseOptions): pg.Pool {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name: ${options.schema}`);
  return new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? `opsc-${options.schema}`,
    // search_path makes unqualified names resolve to the service's own schema, and only to it.
    options: `-c search_path=${options.schema}`,
  });
}

export function createDb<DB>(options: DatabaseOptions): { db: Kysely<DB>; pool: pg.Pool } {
  const pool = createPool(options);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

/** Applies a service's migrations (files in `folder`) inside its own schema. */
export async function migrateToLatest(
  db: Kysely<any>,
  options: { schema: string; folder: string },
): Promise<MigrationResultSet> {
  await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    migrationTableSchema: options.schema,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: options.folder }),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((entry) => entry.status === "Error");
    throw new Error(`migration ${failed?.migrationName ?? "?"} failed in schema ${options.schema}`, {
      cause: result.error,
    });
  }
  return result;
}

/** Creates the database named in `url` when it does not exist yet (connecting to `postgres` to do it). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`invalid database name: ${name}`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== "42P04") throw error; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** True when the database answers a trivial query; used by /readyz. */
export async function isDatabaseReady(db: Kysely<any>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

export type { Kysely, Transaction } from "kysely";
export { sql };
