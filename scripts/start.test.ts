// Runs scripts/start.ts and scripts/migrate.ts for real inside a throw-away copy of the repository in which
// the services, the workers and the web server are small stubs, so the orchestration (secrets, build, env wiring,
// gateway, readiness, shutdown and crash handling) is tested without depending on the real services.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StartedProcess, TestDatabase } from "../packages/testing/src/index.ts";
import { createTestDatabase, getFreePort, isPortOpen, startProcess } from "../packages/testing/src/index.ts";
import { SERVICES, WORKERS } from "./lib/services.ts";

const ROOT = join(import.meta.dir, "..");

const STUB = `
import { writeFileSync } from "node:fs";
const name = process.argv[2] ?? Bun.main.split("/").at(-3);
writeFileSync(\`\${process.env.STUB_DIR}/\${name}.env.json\`, JSON.stringify(process.env));
console.log(JSON.stringify({ level: "info", time: Date.now(), service: name, msg: "stub listening", port: Number(process.env.PORT) }));
console.log("a plain line from " + name);
process.on("SIGTERM", () => {
  console.log(name + " got SIGTERM");
  process.exit(0);
});
Bun.serve({
  hostname: process.env.HOST,
  port: Number(process.env.PORT),
  fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === "/readyz" || path === "/healthz") return Response.json({ status: "ok" });
    if (path === "/api/v1/auth/setup") return Response.json({ needsSetup: true });
    if (path === "/crash") {
      setTimeout(() => process.exit(3), 20);
      return new Response("bye");
    }
    return Response.json({ stub: name, path });
  },
});
`;

const MIGRATE_STUB = `
import { SQL } from "bun";
export async function migrate(databaseUrl) {
  const sql = new SQL(databaseUrl);
  await sql.unsafe(\`CREATE TABLE IF NOT EXISTS "\${import.meta.dir.split("/").at(-2)}_stub_migration" (id int)\`);
  await sql.close();
}
`;

function write(path: string, content: string) {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
}

let repo: string;
let stubDir: string;
let db: TestDatabase;

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), "opsc-start-test-"));
  stubDir = join(repo, "stub-out");
  mkdirSync(stubDir);
  cpSync(join(ROOT, "scripts"), join(repo, "scripts"), { recursive: true });
  cpSync(join(ROOT, "caddy"), join(repo, "caddy"), { recursive: true });
  write(join(repo, "package.json"), JSON.stringify({ name: "fake", private: true, workspaces: ["apps/*"] }));
  for (const { name } of SERVICES) {
    write(join(repo, "services", name, "src", "main.ts"), STUB);
    write(join(repo, "services", name, "src", "migrate.ts"), MIGRATE_STUB);
  }
  for (const { entry } of WORKERS) write(join(repo, entry), STUB);
  write(join(repo, "apps", "web", "server.ts"), STUB.replace('Bun.main.split("/").at(-3)', '"web"'));
  write(
    join(repo, "apps", "web", "package.json"),
    JSON.stringify({ name: "@opsc/web", private: true, scripts: { build: "bun build-stub.ts" } }),
  );
  write(
    join(repo, "apps", "web", "build-stub.ts"),
    `import { mkdirSync, writeFileSync } from "node:fs";
mkdirSync("build/server", { recursive: true });
writeFileSync("build/server/index.js", "// built");
console.log("stub build done");`,
  );
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
  if (repo) rmSync(repo, { recursive: true, force: true });
});

interface Run {
  child: StartedProcess;
  ports: {
    gateway: number;
    web: number;
    auth: number;
    users: number;
    targets: number;
    discovery: number;
    system: number;
  };
}

async function start(extraEnv: Record<string, string> = {}, wrapper: string[] = []): Promise<Run> {
  const ports = {
    gateway: await getFreePort(),
    web: await getFreePort(),
    auth: await getFreePort(),
    users: await getFreePort(),
    targets: await getFreePort(),
    discovery: await getFreePort(),
    system: await getFreePort(),
  };
  const child = await startProcess({
    cmd: [...wrapper, process.execPath, "scripts/start.ts"],
    cwd: repo,
    stopGraceMs: 20_000,
    env: {
      STUB_DIR: stubDir,
      OPSC_DATA_DIR: join(repo, "data"),
      OPSC_PORT: String(ports.gateway),
      OPSC_WEB_PORT: String(ports.web),
      OPSC_AUTH_PORT: String(ports.auth),
      OPSC_USERS_PORT: String(ports.users),
      OPSC_TARGETS_PORT: String(ports.targets),
      OPSC_DISCOVERY_PORT: String(ports.discovery),
      OPSC_SYSTEM_PORT: String(ports.system),
      DATABASE_URL: db.url,
      REDIS_URL: process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379",
      NO_COLOR: "1",
      // bun test sets NODE_ENV=test; start.ts must pick its own default.
      NODE_ENV: undefined,
      ...extraEnv,
    },
  });
  return { child, ports };
}

async function waitForOutput(run: Run, text: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!run.child.output().includes(text)) {
    if (run.child.proc.exitCode !== null) throw new Error(`start.ts exited early:\n${run.child.output()}`);
    if (Date.now() > deadline) throw new Error(`"${text}" not printed:\n${run.child.output()}`);
    await Bun.sleep(50);
  }
}

const readEnv = (name: string) =>
  JSON.parse(readFileSync(join(stubDir, `${name}.env.json`), "utf8")) as Record<string, string>;

async function allClosed(ports: Run["ports"]) {
  return (await Promise.all(Object.values(ports).map((port) => isPortOpen(port)))).every((open) => !open);
}

describe("bun run start", () => {
  let firstSecrets: string;
  let firstToken: string;

  test("first start: builds the web app, generates secrets, wires env, serves through the gateway", async () => {
    const run = await start();
    try {
      await waitForOutput(run, "Press Ctrl+C to stop.");
      const out = run.child.output();
      const gateway = `http://127.0.0.1:${run.ports.gateway}`;

      expect(out).toContain("building the web app (first start)");
      expect(out).toMatch(/build\s+\| .*stub build done/);
      expect(out).toContain(`OpsConductor is running at ${gateway}`);
      const token = /\/setup\?token=([\w-]+)/.exec(out)?.[1];
      expect(token).toBeString();
      firstToken = token as string;
      expect(out).toContain('bun run admin:create --email you@example.com --name "Your Name"');
      // Children's lines are prefixed with their name; JSON log lines are pretty-printed.
      expect(out).toMatch(/\nauth\s+\| \d\d:\d\d:\d\d INFO {2}stub listening port=\d+/);
      expect(out).toMatch(/\nusers\s+\| a plain line from users/);

      const secretsFile = join(repo, "data", "secrets.env");
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      firstSecrets = readFileSync(secretsFile, "utf8");
      const secret = /^BETTER_AUTH_SECRET=(.+)$/m.exec(firstSecrets)?.[1] ?? "";
      const internal = /^INTERNAL_TOKEN=(.+)$/m.exec(firstSecrets)?.[1] ?? "";
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(internal.length).toBeGreaterThanOrEqual(32);

      const auth = readEnv("auth");
      expect(auth).toMatchObject({
        PORT: String(run.ports.auth),
        HOST: "127.0.0.1",
        DATABASE_URL: db.url,
        REDIS_PREFIX: "opsc",
        INTERNAL_TOKEN: internal,
        BETTER_AUTH_SECRET: secret,
        PUBLIC_URL: gateway,
        SETUP_TOKEN: firstToken,
        NODE_ENV: "production",
        LOG_LEVEL: "info",
      });
      const users = readEnv("users");
      expect(users).toMatchObject({ PORT: String(run.ports.users), INTERNAL_TOKEN: internal });
      expect(users.AUTH_INTERNAL_URL).toBe(`http://127.0.0.1:${run.ports.auth}`);
      expect(users.BETTER_AUTH_SECRET).toBeUndefined();
      expect(users.SETUP_TOKEN).toBeUndefined();
      const web = readEnv("web");
      expect(web).toMatchObject({
        PORT: String(run.ports.web),
        OPSC_API_URL: gateway,
        OPSC_SERVICES: "auth,users,targets,discovery,execution,jobs,audit",
      });
      expect(web.INTERNAL_TOKEN).toBeUndefined();
      expect(web.DATABASE_URL).toBeUndefined();
      expect(web.VAULT_KEYS).toBeUndefined();

      // The system worker: started like a service, with Redis, the internal token, the vault keys and the
      // internal URLs of the services it calls, but no database and no auth secrets.
      const vaultKeys = /^VAULT_KEYS=(.+)$/m.exec(firstSecrets)?.[1] ?? "";
      expect(vaultKeys).toStartWith("k1:");
      const system = readEnv("system");
      expect(system).toMatchObject({
        PORT: String(run.ports.system),
        HOST: "127.0.0.1",
        REDIS_URL: process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379",
        REDIS_PREFIX: "opsc",
        INTERNAL_TOKEN: internal,
        VAULT_KEYS: vaultKeys,
        TARGETS_INTERNAL_URL: `http://127.0.0.1:${run.ports.targets}`,
        DISCOVERY_INTERNAL_URL: `http://127.0.0.1:${run.ports.discovery}`,
        // The execution service keeps its default port in this test.
        EXECUTION_INTERNAL_URL: "http://127.0.0.1:8105",
        NODE_ENV: "production",
      });
      expect(system.DATABASE_URL).toBeUndefined();
      expect(system.BETTER_AUTH_SECRET).toBeUndefined();
      expect(system.SETUP_TOKEN).toBeUndefined();
      expect(readEnv("targets").VAULT_KEYS).toBe(vaultKeys);
      // Discovery reads the inventory and imports through the targets service; it never sees the vault keys.
      const discovery = readEnv("discovery");
      expect(discovery).toMatchObject({
        PORT: String(run.ports.discovery),
        INTERNAL_TOKEN: internal,
        AUTH_INTERNAL_URL: `http://127.0.0.1:${run.ports.auth}`,
        TARGETS_INTERNAL_URL: `http://127.0.0.1:${run.ports.targets}`,
      });
      expect(discovery.VAULT_KEYS).toBeUndefined();
      // The execution service and the execution worker (both stubs write execution.env.json) share the object
      // store, a folder under the data folder.
      expect(readEnv("execution")).toMatchObject({
        OBJECT_STORE: "fs",
        OBJECT_STORE_PATH: join(repo, "data", "objects"),
      });
      // The jobs service starts runs in the execution service and reads choices from the targets service.
      expect(readEnv("jobs")).toMatchObject({
        INTERNAL_TOKEN: internal,
        TARGETS_INTERNAL_URL: `http://127.0.0.1:${run.ports.targets}`,
        EXECUTION_INTERNAL_URL: "http://127.0.0.1:8105",
        VAULT_KEYS: vaultKeys,
      });
      // The audit service authenticates callers through the auth service and needs no secrets.
      const audit = readEnv("audit");
      expect(audit).toMatchObject({
        PORT: "8107",
        AUTH_INTERNAL_URL: `http://127.0.0.1:${run.ports.auth}`,
        OBJECT_STORE_PATH: join(repo, "data", "objects"),
      });
      expect(audit.VAULT_KEYS).toBeUndefined();
      expect(out).toMatch(/\nsystem\s+\| a plain line from system/);
      expect((await fetch(`http://127.0.0.1:${run.ports.system}/readyz`)).status).toBe(200);

      expect(await (await fetch(`${gateway}/api/v1/users/me`)).json()).toEqual({
        stub: "users",
        path: "/api/v1/users/me",
      });
      expect(await (await fetch(`${gateway}/`)).json()).toEqual({ stub: "web", path: "/" });
      expect((await fetch(`${gateway}/internal/anything`)).status).toBe(404);
      // Caddy keeps its state under the data folder, not in the user's home.
      expect(existsSync(join(repo, "data", "caddy", "config", "caddy", "autosave.json"))).toBe(true);
    } finally {
      expect(await run.child.stop()).toBe(0);
    }
    expect(run.child.output()).toContain("auth got SIGTERM");
    expect(run.child.output()).toContain("system got SIGTERM");
    expect(run.child.output()).toContain("stopped");
    expect(await allClosed(run.ports)).toBe(true);
  });

  test("second start: keeps the secrets, new setup token, no rebuild; a crashing child stops everything", async () => {
    expect(firstSecrets).toBeString();
    const run = await start();
    try {
      await waitForOutput(run, "Press Ctrl+C to stop.");
      const out = run.child.output();
      expect(out).not.toContain("building the web app");
      expect(readFileSync(join(repo, "data", "secrets.env"), "utf8")).toBe(firstSecrets);
      expect(readEnv("auth").SETUP_TOKEN).not.toBe(firstToken);

      await fetch(`http://127.0.0.1:${run.ports.users}/crash`);
      const code = await Promise.race([run.child.proc.exited, Bun.sleep(20_000).then(() => "timeout")]);
      expect(code).toBe(1);
      expect(run.child.output()).toContain("users exited unexpectedly (3)");
      expect(await allClosed(run.ports)).toBe(true);
    } finally {
      await run.child.stop();
    }
  });

  test.skipIf(!Bun.which("setsid"))(
    "Ctrl+C in a terminal is a clean stop, not a crash of every child",
    async () => {
      // setsid makes start.ts a process-group leader, so signalling the group is what a terminal does on Ctrl+C.
      const run = await start({}, ["setsid"]);
      try {
        await waitForOutput(run, "Press Ctrl+C to stop.");
        process.kill(-run.child.proc.pid, "SIGINT");
        expect(await run.child.proc.exited).toBe(0);
        expect(run.child.output()).toContain("received SIGINT");
        expect(run.child.output()).not.toContain("exited unexpectedly");
        expect(await allClosed(run.ports)).toBe(true);
      } finally {
        await run.child.stop();
      }
    },
  );

  const canIsolate = process.getuid?.() === 0 && Boolean(Bun.which("unshare")) && Boolean(Bun.which("ip"));
  test.skipIf(!canIsolate)(
    "nothing on 5432/6379: starts a private PostgreSQL and Redis and stops them last",
    async () => {
      // A fresh network namespace has its own empty loopback, so the shared PostgreSQL and Redis are invisible.
      const data = mkdtempSync(join(tmpdir(), "opsc-start-private-"));
      const run = await start({ OPSC_DATA_DIR: data, DATABASE_URL: "", REDIS_URL: "" }, [
        "unshare",
        "-n",
        "sh",
        "-c",
        'ip link set lo up && exec "$@"',
        "sh",
      ]);
      try {
        await waitForOutput(run, "Press Ctrl+C to stop.", 60_000);
        const out = run.child.output();
        expect(out).toContain("started a private Redis on 127.0.0.1:");
        expect(out).toContain("started a private PostgreSQL on 127.0.0.1:");
        expect(out).toContain("created database opsconductor");
        // The banner names the CLI step but never the private instance's connection string (it holds a password).
        expect(out).toContain("bun run admin:create --email");
        expect(out).not.toContain(readEnv("auth").DATABASE_URL!);
        expect(readEnv("auth").DATABASE_URL).toMatch(
          /^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/opsconductor$/,
        );
        expect(readEnv("users").REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);

        expect(await run.child.stop()).toBe(0);
        const shutdown = run.child.output().slice(run.child.output().indexOf("received SIGTERM"));
        // Redis only goes down after the services are gone; PostgreSQL is stopped after that.
        expect(shutdown.indexOf("auth got SIGTERM")).toBeLessThan(
          shutdown.indexOf("Received SIGTERM scheduling shutdown"),
        );
        expect(existsSync(join(data, "postgres", "data", "postmaster.pid"))).toBe(false);
      } finally {
        await run.child.stop();
        rmSync(data, { recursive: true, force: true });
      }
    },
  );

  test("rebuilds the web app when a source file is newer than the build", async () => {
    const source = join(repo, "apps", "web", "server.ts");
    writeFileSync(source, readFileSync(source, "utf8"));
    const run = await start();
    try {
      await waitForOutput(run, "Press Ctrl+C to stop.");
      expect(run.child.output()).toContain("web sources changed, rebuilding the web app");
    } finally {
      expect(await run.child.stop()).toBe(0);
    }
  });

  test("refuses to start when a port is taken", async () => {
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("busy") });
    try {
      const run = await start({ OPSC_PORT: String(busy.port) });
      expect(await run.child.proc.exited).toBe(1);
      expect(run.child.output()).toContain(`port ${busy.port} (gateway) is already in use`);
    } finally {
      await busy.stop(true);
    }
  });
});

describe("bun run db:migrate", () => {
  test("creates the database when missing and runs every service's migrate()", async () => {
    const url = new URL(db.url);
    url.pathname = `/${db.name}_m`;
    const migrated = url.toString();
    try {
      const run = await startProcess({
        cmd: [process.execPath, "scripts/migrate.ts"],
        cwd: repo,
        env: { DATABASE_URL: migrated },
      });
      expect(await run.proc.exited).toBe(0);
      expect(run.output()).toContain(`created database ${db.name}_m`);
      const sql = new Bun.SQL(migrated);
      const tables =
        await sql`SELECT tablename FROM pg_tables WHERE tablename LIKE '%_stub_migration' ORDER BY 1`;
      await sql.close();
      expect(tables.map((row: { tablename: string }) => row.tablename)).toEqual(
        SERVICES.map(({ name }) => `${name}_stub_migration`).sort(),
      );
    } finally {
      const admin = new Bun.SQL(db.url);
      await admin.unsafe(`DROP DATABASE IF EXISTS "${db.name}_m" WITH (FORCE)`);
      await admin.close();
    }
  });

  test("fails with exit code 1 when a service's migrate() throws", async () => {
    const file = join(repo, "services", "users", "src", "migrate.ts");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, `export async function migrate() { throw new Error("users migration broke"); }`);
    try {
      const run = await startProcess({
        cmd: [process.execPath, "scripts/migrate.ts"],
        cwd: repo,
        env: { DATABASE_URL: db.url },
      });
      expect(await run.proc.exited).toBe(1);
      expect(run.output()).toContain("users migration broke");
    } finally {
      writeFileSync(file, original);
    }
  });
});
