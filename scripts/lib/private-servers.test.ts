// The fallbacks of `bun run start` / `bun run db:migrate` when nothing answers on the default ports:
// a private PostgreSQL cluster and a private redis-server under the data folder.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPortOpen } from "./net.ts";
import { ensureDatabase, findPostgresBin, resolvePostgres, startPrivatePostgres } from "./postgres.ts";
import { pingRedis, resolveRedis, startPrivateRedis } from "./redis.ts";

// The space checks that paths are quoted on their way through pg_ctl's shell.
const data = mkdtempSync(join(tmpdir(), "opsc private-test-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

test.skipIf(!findPostgresBin())(
  "private PostgreSQL: initdb on first use, reuse while running, restart with the same data",
  async () => {
    const dir = join(data, "postgres");
    const pg = await startPrivatePostgres(dir);
    let stopped = false;
    try {
      expect(pg.private).toBe(true);
      expect(pg.url).toMatch(/^postgres:\/\/postgres:[\w-]{43}@127\.0\.0\.1:\d+\/opsconductor$/);
      await ensureDatabase(pg.url);
      // Loopback is not a trust boundary on a shared machine: TCP logins need the generated password.
      const anonymous = new URL(pg.url);
      anonymous.password = "";
      const noPassword = new Bun.SQL({ url: anonymous.toString(), max: 1, connectionTimeout: 5 });
      await expect(noPassword`SELECT 1`).rejects.toThrow();
      await noPassword.close();
      const sql = new Bun.SQL(pg.url);
      await sql`CREATE TABLE kept (v text)`;
      await sql`INSERT INTO kept VALUES ('still here')`;
      await sql.close();

      // A second user of the same folder (db:migrate while start runs) shares the running server.
      const shared = await startPrivatePostgres(dir);
      expect(shared.url).toBe(pg.url);
      await shared.stop(); // not its server: must not stop it
      expect(await isPortOpen(Number(new URL(pg.url).port))).toBe(true);

      await pg.stop();
      stopped = true;
      expect(await isPortOpen(Number(new URL(pg.url).port))).toBe(false);

      const again = await startPrivatePostgres(dir);
      try {
        const sql2 = new Bun.SQL(again.url);
        expect(await sql2`SELECT v FROM kept`).toEqual([{ v: "still here" }]);
        await sql2.close();
      } finally {
        await again.stop();
      }
    } finally {
      if (!stopped) await pg.stop();
    }
    expect(existsSync(join(dir, "data", "postmaster.pid"))).toBe(false);
  },
);

test.skipIf(!Bun.which("redis-server"))("private Redis: starts on a free port and stops", async () => {
  const redis = await startPrivateRedis(join(data, "redis"), data);
  try {
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await pingRedis(redis.url)).toBe(true);
  } finally {
    await redis.stop();
  }
  expect(await pingRedis(redis.url)).toBe(false);
});

test("DATABASE_URL / REDIS_URL that do not answer are errors, not silently replaced", async () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  try {
    process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:1/opsconductor";
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    await expect(resolvePostgres(data)).rejects.toThrow("cannot use DATABASE_URL (127.0.0.1:1)");
    await expect(resolveRedis(data, data)).rejects.toThrow(
      "REDIS_URL is set, but Redis does not answer there",
    );
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
