import { describe, expect, test } from "bun:test";
import pg from "pg";
import { createTestDatabase, DEFAULT_TEST_PG_URL } from "./postgres.ts";

const adminUrl = process.env.TEST_PG_URL || DEFAULT_TEST_PG_URL;

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("createTestDatabase", () => {
  test("creates an empty database and drop() removes it even with open connections", async () => {
    const db = await createTestDatabase();
    try {
      expect(db.name).toMatch(/^opsc_t_[0-9a-f]{12}$/);
      expect(new URL(db.url).pathname).toBe(`/${db.name}`);
      expect(await databaseExists(db.name)).toBe(true);

      // A connection left open on purpose: drop() must still succeed.
      const client = new pg.Client({ connectionString: db.url });
      client.on("error", () => {}); // the forced disconnect is reported here
      await client.connect();
      const { rows } = await client.query<{ db: string }>("SELECT current_database() AS db");
      expect(rows[0]?.db).toBe(db.name);
      await client.query("CREATE TABLE t (id int primary key)");

      await db.drop();
      expect(await databaseExists(db.name)).toBe(false);
      await db.drop(); // idempotent
      await client.end().catch(() => {});
    } finally {
      await db.drop();
    }
  });

  test("uses the prefix and gives every database a distinct name", async () => {
    const [a, b] = await Promise.all([createTestDatabase("opsc_auth_t"), createTestDatabase("opsc_auth_t")]);
    try {
      expect(a.name.startsWith("opsc_auth_t_")).toBe(true);
      expect(a.name).not.toBe(b.name);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  test("rejects a prefix that is not a plain identifier", async () => {
    await expect(createTestDatabase('x"; DROP DATABASE postgres; --')).rejects.toThrow(
      "invalid database prefix",
    );
  });
});
