// `bun run start`: the all-in-one mode. Finds (or starts) PostgreSQL and Redis, builds the web app when
// needed, runs every service, every worker, the web server and the Caddy gateway, and stops everything together.
//
// Environment (all optional):
//   OPSC_PORT             gateway port (default 8080); the app is at http://127.0.0.1:<port>
//   OPSC_DATA_DIR         local state: secrets.env, private PostgreSQL/Redis, Caddy data (default .opsc)
//   OPSC_<SERVICE>_PORT   port of one service (OPSC_AUTH_PORT=8101, OPSC_USERS_PORT=8102), OPSC_WEB_PORT=8100
//   OPSC_<WORKER>_PORT    health/metrics port of one worker (OPSC_SYSTEM_PORT=8111)
//   DATABASE_URL, REDIS_URL   use these servers instead of 127.0.0.1:5432 / :6379 / a private instance
//   PUBLIC_URL            origin the browser uses, when it is not http://127.0.0.1:<OPSC_PORT>
//   LOG_LEVEL, NODE_ENV   passed to every process (defaults: info, production)
//   OPSC_READY_TIMEOUT_MS how long to wait for every /readyz (default 120000)
//   OBJECT_STORE, OBJECT_STORE_PATH, S3_*   artifacts and log archives (default: fs under <data>/objects)
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Child } from "./lib/children.ts";
import { setPrefixWidth, spawnChild } from "./lib/children.ts";
import { paint, say, warn } from "./lib/log.ts";
import { isHttpOk, isPortOpen, waitFor } from "./lib/net.ts";
import { dataDir, ROOT } from "./lib/paths.ts";
import type { PostgresHandle } from "./lib/postgres.ts";
import { resolvePostgres } from "./lib/postgres.ts";
import type { RedisHandle } from "./lib/redis.ts";
import { resolveRedis } from "./lib/redis.ts";
import { loadSecrets, randomSecret } from "./lib/secrets.ts";
import { DISCOVERY_PORT, GATEWAY_PORT, portEnvName, SERVICES, WEB_PORT, WORKERS } from "./lib/services.ts";
import { installHint } from "./lib/system.ts";
import { webBuildState } from "./lib/web-build.ts";

const STOP_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = Number(process.env.OPSC_READY_TIMEOUT_MS) || 120_000;

const children: Child[] = [];
let postgres: PostgresHandle | undefined;
let redis: RedisHandle | undefined;
let shuttingDown: Promise<never> | undefined;

const SERVICE_ONLY_ENV = [
  "DATABASE_URL",
  "REDIS_URL",
  "INTERNAL_TOKEN",
  "BETTER_AUTH_SECRET",
  "SETUP_TOKEN",
  "VAULT_KEYS",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
];

function withoutServiceSecrets(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const copy = { ...env };
  for (const key of SERVICE_ONLY_ENV) delete copy[key];
  return copy;
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} is not a port: ${raw}`);
  return port;
}

/** Stops every child (SIGTERM, SIGKILL after the grace period), then the private Redis and PostgreSQL; exits. */
function shutdown(code: number, reason?: string): Promise<never> {
  shuttingDown ??= (async () => {
    if (reason) (code === 0 ? say : warn)(reason);
    const running = children.filter((child) => !child.done);
    if (running.length > 0) say(`stopping ${running.map((child) => child.name).join(", ")}`);
    // Redis goes last so the services do not log connection errors while they shut down.
    await Promise.all(
      children.filter((child) => child !== redis?.child).map((child) => child.stop(STOP_GRACE_MS)),
    );
    await redis?.stop();
    await postgres?.stop();
    say(code === 0 ? "stopped" : paint("red", `stopped (exit code ${code})`));
    process.exit(code);
  })();
  return shuttingDown;
}

function watch(child: Child): Child {
  children.push(child);
  void child.exited.then((status) => {
    if (!shuttingDown)
      void shutdown(1, `${child.name} exited unexpectedly (${status}); shutting everything down`);
  });
  return child;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      // A second Ctrl+C: do not wait for the grace period.
      for (const child of children) child.kill("SIGKILL");
      return;
    }
    void shutdown(0, `received ${signal}`);
  });
}

async function buildWeb(): Promise<void> {
  const state = webBuildState(ROOT);
  if (state === "fresh") return;
  say(
    state === "missing"
      ? "building the web app (first start)"
      : "web sources changed, rebuilding the web app",
  );
  const build = spawnChild({
    name: "build",
    cmd: [process.execPath, "run", "--filter", "@opsc/web", "build"],
    env: { ...process.env, NODE_ENV: "production" },
    cwd: ROOT,
  });
  children.push(build);
  const status = await build.exited;
  children.splice(children.indexOf(build), 1);
  if (status !== 0) throw new Error(`building the web app failed (${status})`);
}

async function main(): Promise<void> {
  const caddy = process.env.CADDY_BIN || Bun.which("caddy");
  if (!caddy) throw new Error(`caddy is not installed; install it (${installHint("caddy", "caddy")})`);
  if (!existsSync(join(ROOT, "apps", "web", "server.ts"))) {
    throw new Error("apps/web/server.ts is missing; the web app is required");
  }

  const gatewayPort = envPort("OPSC_PORT", GATEWAY_PORT);
  const webPort = envPort("OPSC_WEB_PORT", WEB_PORT);
  const services = SERVICES.map((service) => ({
    ...service,
    port: envPort(portEnvName(service.name), service.port),
  }));
  const workers = WORKERS.map((worker) => ({
    ...worker,
    port: envPort(portEnvName(worker.name), worker.port),
  }));
  const ports: [string, number][] = [
    ...services.map((service): [string, number] => [service.name, service.port]),
    ...workers.map((worker): [string, number] => [worker.name, worker.port]),
    ["web", webPort],
    ["gateway", gatewayPort],
  ];
  for (const [name, port] of ports) {
    if (await isPortOpen(port)) {
      throw new Error(
        `port ${port} (${name}) is already in use: is OpsConductor already running? Stop it or set ${name === "gateway" ? "OPSC_PORT" : portEnvName(name)}`,
      );
    }
  }
  setPrefixWidth([
    "gateway",
    "build",
    "redis",
    ...services.map((service) => service.name),
    ...workers.map((worker) => worker.name),
  ]);

  const data = dataDir();
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const secrets = loadSecrets(data);
  if (secrets.created) say(`generated secrets in ${join(data, "secrets.env")} (keep this file)`);

  redis = await resolveRedis(data, ROOT);
  if (redis.child) watch(redis.child);
  postgres = await resolvePostgres(data);
  await buildWeb();

  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const publicUrl = (process.env.PUBLIC_URL || gatewayUrl).replace(/\/+$/, "");
  const setupToken = randomSecret(24);
  // What every child may see; database, Redis and secrets are added only for the services.
  const base = {
    ...withoutServiceSecrets(process.env),
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.LOG_LEVEL || "info",
    NODE_ENV: process.env.NODE_ENV || "production",
  };
  const common = {
    ...base,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: process.env.REDIS_PREFIX || "opsc",
    INTERNAL_TOKEN: secrets.values.INTERNAL_TOKEN,
  };
  // Artifacts and run log archives: a folder under the data folder (.opsc/objects), shared by the execution
  // service and its workers, unless OBJECT_STORE is set in the environment (s3: the S3_* variables; the keys
  // reach only these two processes).
  const s3Keys = Object.fromEntries(
    ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"].flatMap((name) =>
      process.env[name] ? [[name, process.env[name]!]] : [],
    ),
  );
  const objectStoreEnv: Record<string, string> = process.env.OBJECT_STORE
    ? s3Keys
    : { OBJECT_STORE: "fs", OBJECT_STORE_PATH: process.env.OBJECT_STORE_PATH || join(data, "objects") };
  const serviceUrl = (name: string) => `http://127.0.0.1:${services.find((s) => s.name === name)?.port}`;
  const extraEnv: Record<string, Record<string, string>> = {
    auth: {
      BETTER_AUTH_SECRET: secrets.values.BETTER_AUTH_SECRET,
      PUBLIC_URL: publicUrl,
      SETUP_TOKEN: setupToken,
    },
    users: { AUTH_INTERNAL_URL: serviceUrl("auth") },
    targets: { AUTH_INTERNAL_URL: serviceUrl("auth"), VAULT_KEYS: secrets.values.VAULT_KEYS },
    discovery: { AUTH_INTERNAL_URL: serviceUrl("auth"), TARGETS_INTERNAL_URL: serviceUrl("targets") },
    execution: {
      AUTH_INTERNAL_URL: serviceUrl("auth"),
      TARGETS_INTERNAL_URL: serviceUrl("targets"),
      VAULT_KEYS: secrets.values.VAULT_KEYS,
      ...objectStoreEnv,
    },
    jobs: {
      AUTH_INTERNAL_URL: serviceUrl("auth"),
      TARGETS_INTERNAL_URL: serviceUrl("targets"),
      EXECUTION_INTERNAL_URL: serviceUrl("execution"),
      // Seals webhook secrets and the secret values schedules keep.
      VAULT_KEYS: secrets.values.VAULT_KEYS,
    },
    // Archives of records past AUDIT_RETENTION_DAYS go to the same object store.
    audit: { AUTH_INTERNAL_URL: serviceUrl("auth"), ...objectStoreEnv },
  };

  const ready: { name: string; child: Child; check: () => Promise<boolean> }[] = [];
  const awaitReady = (entries: typeof ready) =>
    Promise.all(
      entries.map(({ name, child, check }) =>
        waitFor(`${name}`, check, {
          timeoutMs: READY_TIMEOUT_MS,
          abortIf: () => (child.done ? "exited during start-up" : undefined),
        }),
      ),
    );
  for (const service of services) {
    const child = watch(
      spawnChild({
        name: service.name,
        cmd: [process.execPath, join("services", service.name, "src", "main.ts")],
        env: { ...common, ...extraEnv[service.name], PORT: String(service.port) },
        cwd: ROOT,
      }),
    );
    ready.push({ name: service.name, child, check: () => isHttpOk(`${serviceUrl(service.name)}/readyz`) });
  }
  // Workers call the services from their first moment (health sweeps, scans): they start once the services answer.
  await awaitReady(ready);
  if (shuttingDown) return;
  for (const worker of workers) {
    const child = watch(
      spawnChild({
        name: worker.name,
        cmd: [process.execPath, worker.entry],
        // A worker gets Redis, the internal token and the vault keys (to open credentials it uses), no database.
        env: {
          ...base,
          REDIS_URL: common.REDIS_URL,
          REDIS_PREFIX: common.REDIS_PREFIX,
          INTERNAL_TOKEN: common.INTERNAL_TOKEN,
          VAULT_KEYS: secrets.values.VAULT_KEYS,
          TARGETS_INTERNAL_URL: serviceUrl("targets"),
          // Same default and override as the discovery service's own port (OPSC_DISCOVERY_PORT).
          DISCOVERY_INTERNAL_URL: `http://127.0.0.1:${envPort(portEnvName("discovery"), DISCOVERY_PORT)}`,
          // The scheduler fires due schedules through the jobs service's internal router.
          JOBS_INTERNAL_URL: serviceUrl("jobs"),
          // The system worker's maintenance prunes runs and logs through the execution service's internal router.
          EXECUTION_INTERNAL_URL: serviceUrl("execution"),
          ...(worker.name === "execution-worker" ? objectStoreEnv : {}),
          PORT: String(worker.port),
        },
        cwd: ROOT,
      }),
    );
    ready.push({
      name: worker.name,
      child,
      check: () => isHttpOk(`http://127.0.0.1:${worker.port}/readyz`),
    });
  }
  const web = watch(
    spawnChild({
      name: "web",
      cmd: [process.execPath, join("apps", "web", "server.ts")],
      // The web server only talks to the API through the gateway: it gets no database or internal token.
      env: {
        ...base,
        PORT: String(webPort),
        OPSC_API_URL: gatewayUrl,
        OPSC_SERVICES: services.map((service) => service.name).join(","),
      },
      cwd: ROOT,
    }),
  );
  ready.push({ name: "web", child: web, check: () => isHttpOk(`http://127.0.0.1:${webPort}/readyz`) });

  const caddyHome = join(data, "caddy");
  const gateway = watch(
    spawnChild({
      name: "gateway",
      cmd: [caddy, "run", "--config", join("caddy", "Caddyfile.local"), "--adapter", "caddyfile"],
      env: {
        ...withoutServiceSecrets(process.env),
        OPSC_PORT: String(gatewayPort),
        // caddy/routes.caddy reads <SERVICE>_UPSTREAM for every service.
        ...Object.fromEntries(
          services.map((s) => [`${s.name.toUpperCase()}_UPSTREAM`, `127.0.0.1:${s.port}`]),
        ),
        WEB_UPSTREAM: `127.0.0.1:${webPort}`,
        XDG_DATA_HOME: join(caddyHome, "data"),
        XDG_CONFIG_HOME: join(caddyHome, "config"),
      },
      cwd: ROOT,
    }),
  );
  ready.push({ name: "gateway", child: gateway, check: () => isPortOpen(gatewayPort) });

  await awaitReady(ready);
  if (shuttingDown) return;

  const lines = ["", `${paint("green", "OpsConductor is running at")} ${paint("bold", publicUrl)}`];
  try {
    const res = await fetch(`${gatewayUrl}/api/v1/auth/setup`, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { needsSetup?: boolean };
    if (body.needsSetup) {
      lines.push(
        "",
        "No administrator exists yet. Create the first one:",
        `  in the browser:  ${paint("bold", `${publicUrl}/setup?token=${setupToken}`)}`,
        `  or on the CLI:   bun run admin:create --email you@example.com --name "Your Name"`,
        "  (the setup link works until the next restart)",
      );
    }
  } catch (error) {
    warn(
      `could not ask ${gatewayUrl}/api/v1/auth/setup whether setup is needed: ${(error as Error).message}`,
    );
  }
  lines.push("", "Press Ctrl+C to stop.", "");
  console.log(lines.join("\n"));
}

main().catch((error: Error) => {
  void shutdown(1, error.message);
});
