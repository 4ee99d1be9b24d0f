import pg from "pg";
import { randomSuffix } from "./random.ts";

/** Server the test databases are created on; any database on it works as the admin connection. */
export const DEFAULT_TEST_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** A throw-away database created by {@link createTestDatabase}. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Terminates every connection to the database and drops it. Safe to call twice. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.TEST_PG_URL || DEFAULT_TEST_PG_URL;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh, empty PostgreSQL database named `<prefix>_<random>` on the server from `TEST_PG_URL`
 * (default {@link DEFAULT_TEST_PG_URL}).
 */
export async function createTestDatabase(prefix = "opsc_t"): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`invalid database prefix: ${prefix}`);
  const name = `${prefix}_${randomSuffix()}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE (PG 13+) terminates connections a test forgot to close, e.g. a leaked pool.
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
