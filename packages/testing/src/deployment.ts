import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StartedCaddy, startCaddy } from "./caddy.ts";
import { getFreePort } from "./net.ts";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";
import { type StartedProcess, startProcess } from "./process.ts";
import { createTestRedis, type TestRedis } from "./redis.ts";
import { repoRoot } from "./repo-root.ts";

export interface DeploymentOptions {
  /** Also start the web server (its build must exist: `bun run --filter @opsc/web build`). */
  web?: boolean;
  /** Extra environment for the auth service, e.g. a higher SIGN_IN_RATE_LIMIT_MAX for browser tests. */
  authEnv?: Record<string, string>;
  /** Also start the system worker (`workers/system`: health checks), after the services it calls. */
  workers?: boolean;
  /** Extra environment for every system worker, e.g. a short HEALTH_SWEEP_INTERVAL_MS for tests. */
  workerEnv?: Record<string, string>;
  /** Extra environment for the execution service. */
  executionEnv?: Record<string, string>;
  /** Execution workers to start (processes of workers/execution), each with `executionWorkerEnv`. */
  executionWorkers?: number;
  executionWorkerEnv?: Record<string, string>;
  /** Extra environment for the jobs service, e.g. a lower JOBS_SCHEDULE_MIN_INTERVAL_SECONDS for tests. */
  jobsEnv?: Record<string, string>;
  /** Extra environment for the audit service. */
  auditEnv?: Record<string, string>;
  /** Scheduler processes to start (workers/scheduler; they contend for one leader lease), with `schedulerEnv`. */
  schedulers?: number;
  schedulerEnv?: Record<string, string>;
  logLevel?: string;
  databasePrefix?: string;
}

export interface Deployment {
  /** The gateway's URL: the one origin browsers, the SDK and curl use. */
  url: string;
  ports: {
    auth: number;
    users: number;
    targets: number;
    web: number;
    gateway: number;
    discovery: number;
    execution: number;
    jobs: number;
    audit: number;
    /** The first system worker's /healthz, /readyz and /metrics (with `workers: true`). */
    system: number;
  };
  /** The object store folder (fs backend) the execution service and workers share; removed by `stop()`. */
  objectsDir: string;
  /** The VAULT_KEYS the targets service runs with (a test may need to open what it sealed). */
  vaultKeys: string;
  database: TestDatabase;
  redis: TestRedis;
  /** The one-time token for `POST /api/v1/auth/setup`. */
  setupToken: string;
  /** The services' shared INTERNAL_TOKEN (a test may call an internal router). */
  internalToken: string;
  /** The system workers started so far (`workers: true` starts the first); stopped by `stop()`. */
  workers: (StartedProcess & { port: number })[];
  /**
   * Starts another system worker replica with the deployment's environment plus `env`, on a free port (also in
   * the result), and resolves once its /readyz answers.
   */
  startSystemWorker(env?: Record<string, string>): Promise<StartedProcess & { port: number }>;
  /** Starts one more execution worker process (a replica), e.g. to kill one mid-run. */
  startExecutionWorker(env?: Record<string, string>): Promise<StartedProcess & { port: number }>;
  /** The execution worker processes started so far. */
  executionWorkers: (StartedProcess & { port: number })[];
  /** Starts one more scheduler process (a replica contending for the lease), e.g. after killing the leader. */
  startScheduler(env?: Record<string, string>): Promise<StartedProcess & { port: number }>;
  /** The scheduler processes started so far, each with its /metrics port. */
  schedulers: (StartedProcess & { port: number })[];
  stop(): Promise<void>;
}

const secret = () => randomBytes(32).toString("hex");

/**
 * The distributed deployment on loopback: each service as its own process (its real entry point), optionally the
 * web server, and Caddy with caddy/Caddyfile.local in front, over a fresh database and Redis prefix.
 */
export async function startDeployment(options: DeploymentOptions = {}): Promise<Deployment> {
  const root = repoRoot();
  const database = await createTestDatabase(options.databasePrefix);
  const redis = await createTestRedis();
  const [auth, users, targets, web, gateway, system, discovery, execution, jobs, audit] = await Promise.all([
    getFreePort(),
    getFreePort(),
    getFreePort(),
    getFreePort(),
    getFreePort(),
    getFreePort(),
    getFreePort(),
    // Where the system worker finds discovery: a port of the deployment's own, never a real install's 8104.
    getFreePort(),
    getFreePort(),
    getFreePort(),
  ]);
  const vaultKeys = `k1:${randomBytes(32).toString("base64")}`;
  // The execution service and its workers share a file system object store (artifacts, log archives).
  const objectsDir = mkdtempSync(join(tmpdir(), "opsc-deployment-objects-"));
  const url = `http://127.0.0.1:${gateway}`;
  const setupToken = secret();
  const internalToken = secret();
  const processes: StartedProcess[] = [];
  const workers: (StartedProcess & { port: number })[] = [];
  let caddy: StartedCaddy | undefined;

  // Each step on its own: one failure must not leave the others running.
  const stop = async () => {
    const steps = [
      async () => caddy?.stop(),
      ...processes.reverse().map((child) => () => child.stop()),
      () => redis.cleanup(),
      () => database.drop(),
      async () => rmSync(objectsDir, { recursive: true, force: true }),
    ];
    for (const step of steps)
      await step().catch((error: unknown) => console.error("deployment cleanup:", error));
  };

  /**
   * Starts a worker process (`workers/<kind>/src/main.ts`) with what every worker gets (Redis, the internal token,
   * the vault keys, a short shutdown so that stop() stays within its grace period) plus `env`; it is ready when its
   * /readyz answers.
   */
  async function startWorker(
    kind: "system" | "execution" | "scheduler",
    env: Record<string, string>,
    list: (StartedProcess & { port: number })[],
    fixedPort?: number,
  ) {
    const port = fixedPort ?? (await getFreePort());
    const child = await startProcess({
      cmd: [process.execPath, join(root, "workers", kind, "src", "main.ts")],
      cwd: root,
      env: {
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        LOG_LEVEL: options.logLevel ?? "warn",
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        INTERNAL_TOKEN: internalToken,
        VAULT_KEYS: vaultKeys,
        // Within stop()'s grace period: what is still running is left for another replica to reclaim.
        SHUTDOWN_TIMEOUT_MS: "2000",
        ...env,
        PORT: String(port),
      },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      timeoutMs: 60_000,
    });
    const worker = Object.assign(child, { port });
    processes.push(worker);
    list.push(worker);
    return worker;
  }

  const startSystemWorker = (env: Record<string, string>, fixedPort?: number) =>
    startWorker(
      "system",
      {
        TARGETS_INTERNAL_URL: `http://127.0.0.1:${targets}`,
        DISCOVERY_INTERNAL_URL: `http://127.0.0.1:${discovery}`,
        EXECUTION_INTERNAL_URL: `http://127.0.0.1:${execution}`,
        ...options.workerEnv,
        ...env,
      },
      workers,
      fixedPort,
    );

  const executionWorkers: (StartedProcess & { port: number })[] = [];
  const startExecutionWorker = (env: Record<string, string>) =>
    startWorker(
      "execution",
      { OBJECT_STORE: "fs", OBJECT_STORE_PATH: objectsDir, ...options.executionWorkerEnv, ...env },
      executionWorkers,
    );

  const schedulers: (StartedProcess & { port: number })[] = [];
  const startScheduler = (env: Record<string, string>) =>
    startWorker(
      "scheduler",
      { JOBS_INTERNAL_URL: `http://127.0.0.1:${jobs}`, ...options.schedulerEnv, ...env },
      schedulers,
    );

  try {
    const common = {
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      LOG_LEVEL: options.logLevel ?? "warn",
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      INTERNAL_TOKEN: internalToken,
    };
    const start = async (name: string, port: number, env: Record<string, string>, readyPath = "/readyz") => {
      const entry =
        name === "web"
          ? join(root, "apps", "web", "server.ts")
          : join(root, "services", name, "src", "main.ts");
      processes.push(
        await startProcess({
          cmd: [process.execPath, entry],
          cwd: root,
          env: { ...env, PORT: String(port) },
          readyUrl: `http://127.0.0.1:${port}${readyPath}`,
          timeoutMs: 60_000,
        }),
      );
    };
    await start("auth", auth, {
      ...common,
      BETTER_AUTH_SECRET: secret(),
      PUBLIC_URL: url,
      SETUP_TOKEN: setupToken,
      ...options.authEnv,
    });
    await start("users", users, { ...common, AUTH_INTERNAL_URL: `http://127.0.0.1:${auth}` });
    await start("targets", targets, {
      ...common,
      AUTH_INTERNAL_URL: `http://127.0.0.1:${auth}`,
      VAULT_KEYS: vaultKeys,
    });
    await start("discovery", discovery, {
      ...common,
      AUTH_INTERNAL_URL: `http://127.0.0.1:${auth}`,
      TARGETS_INTERNAL_URL: `http://127.0.0.1:${targets}`,
    });
    await start("execution", execution, {
      ...common,
      AUTH_INTERNAL_URL: `http://127.0.0.1:${auth}`,
      TARGETS_INTERNAL_URL: `http://127.0.0.1:${targets}`,
      VAULT_KEYS: vaultKeys,
      OBJECT_STORE: "fs",
      OBJECT_STORE_PATH: objectsDir,
      ...options.executionEnv,
    });
    await start("jobs", jobs, {
      ...common,
      AUTH_INTERNAL_URL: `http://127.0.0.1:${auth}`,
      TARGETS_INTERNAL_URL: `http://127.0.0.1:${targets}`,
      EXECUTION_INTERNAL_URL: `http://127.0.0.1:${execution}`,
      VAULT_KEYS: vaultKeys,
      ...options.jobsEnv,
    });
    await start("audit", audit, {
      ...common,
      AUTH_INTERNAL_URL: `http://127.0.0.1:${auth}`,
      ...options.auditEnv,
    });
    if (options.web) {
      // The web server gets no database or secrets: it reads the services' OpenAPI documents through the gateway.
      await start("web", web, {
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        LOG_LEVEL: common.LOG_LEVEL,
        OPSC_API_URL: url,
        OPSC_SERVICES: "auth,users,targets,discovery,execution,jobs,audit",
      });
    }
    if (options.workers) await startSystemWorker({}, system);
    for (let index = 0; index < (options.executionWorkers ?? 0); index++) await startExecutionWorker({});
    for (let index = 0; index < (options.schedulers ?? 0); index++) await startScheduler({});
    caddy = await startCaddy({
      config: join(root, "caddy", "Caddyfile.local"),
      port: gateway,
      env: {
        AUTH_UPSTREAM: `127.0.0.1:${auth}`,
        USERS_UPSTREAM: `127.0.0.1:${users}`,
        TARGETS_UPSTREAM: `127.0.0.1:${targets}`,
        DISCOVERY_UPSTREAM: `127.0.0.1:${discovery}`,
        EXECUTION_UPSTREAM: `127.0.0.1:${execution}`,
        JOBS_UPSTREAM: `127.0.0.1:${jobs}`,
        AUDIT_UPSTREAM: `127.0.0.1:${audit}`,
        WEB_UPSTREAM: `127.0.0.1:${web}`,
      },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    ports: { auth, users, targets, web, gateway, system, discovery, execution, jobs, audit },
    database,
    redis,
    setupToken,
    objectsDir,
    vaultKeys,
    internalToken,
    workers,
    startSystemWorker: (env = {}) => startSystemWorker(env),
    startExecutionWorker: (env = {}) => startExecutionWorker(env),
    executionWorkers,
    startScheduler: (env = {}) => startScheduler(env),
    schedulers,
    stop,
  };
}
