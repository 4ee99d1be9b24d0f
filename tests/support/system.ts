import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutboxRelay } from "@opsc/audit";
import { createAuditApp } from "@opsc/audit-service/app";
import { AUDIT_SCHEMA, type AuditDatabase } from "@opsc/audit-service/database";
import { migrate as migrateAudit } from "@opsc/audit-service/migrate";
import { AuditConsumer } from "@opsc/audit-service/records/consumer";
import { createAuthApp } from "@opsc/auth/app";
import { AUTH_SCHEMA, createBetterAuth } from "@opsc/auth/better-auth";
import type { AuthDatabase } from "@opsc/auth/identity/identity.table";
import type { IdentityRouter } from "@opsc/auth/internal";
import { migrate as migrateAuth } from "@opsc/auth/migrate";
import { createFirstAdmin } from "@opsc/auth/setup/setup.service";
import type { TRole } from "@opsc/contracts";
import { createDb } from "@opsc/db";
import { createDiscoveryApp } from "@opsc/discovery/app";
import { DISCOVERY_SCHEMA, type DiscoveryDatabase } from "@opsc/discovery/database";
import { migrate as migrateDiscovery } from "@opsc/discovery/migrate";
import { discoveryJobs } from "@opsc/discovery/runs/scan-job";
import { createExecutionApp } from "@opsc/execution/app";
import { EXECUTION_SCHEMA, type ExecutionDatabase } from "@opsc/execution/database";
import { ReportIngester } from "@opsc/execution/ingest/ingester";
import { Reconciler } from "@opsc/execution/ingest/reconciler";
import type { ExecutionInternalRouter } from "@opsc/execution/internal";
import { migrate as migrateExecution } from "@opsc/execution/migrate";
import { Dispatcher } from "@opsc/execution/runs/dispatch";
import { RetryDispatcher } from "@opsc/execution/runs/retries";
import { createJobsApp } from "@opsc/jobs/app";
import { JOBS_SCHEMA, type JobsDatabase } from "@opsc/jobs/database";
import { migrate as migrateJobs } from "@opsc/jobs/migrate";
import { createLogger } from "@opsc/logger";
import { FsObjectStore, type ObjectStore } from "@opsc/objectstore";
import { createOpsClient, type OpsClient } from "@opsc/sdk";
import { createInternalClient, IdentityCache } from "@opsc/server-kit";
import { createProducer } from "@opsc/streams";
import { createTargetsApp } from "@opsc/targets/app";
import { TARGETS_SCHEMA, type TargetsDatabase } from "@opsc/targets/database";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import { migrate as migrateTargets } from "@opsc/targets/migrate";
import { createTestDatabase, createTestRedis } from "@opsc/testing";
import { createUsersApp } from "@opsc/users/app";
import { USERS_SCHEMA, type UsersDatabase } from "@opsc/users/database";
import { migrate as migrateUsers } from "@opsc/users/migrate";
import { parseVaultKeys } from "@opsc/vault";

export const PASSWORD = "correct horse battery staple";
const INTERNAL_TOKEN = "test-internal-token-0123456789abcdef";
const VAULT_KEYS = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

export interface SignedInUser {
  id: string;
  email: string;
  token: string;
  client: OpsClient;
}

/**
 * The auth, users, targets, discovery, execution, jobs and audit services composed in one process over a fresh database and Redis prefix. Requests go
 * through each app's real HTTP handling (`app.handle`), including the service-to-service calls.
 */
export async function startSystem(
  options: {
    signInMax?: number;
    connectTimeoutMs?: number;
    reconcileIntervalMs?: number;
    /** The execution service's object store; default a file system store in a temp dir, removed by stop(). */
    objectStore?: ObjectStore;
  } = {},
) {
  // Artifacts and log archives: each test system has its own folder (a test worker writes to the same store).
  const objectsDir = options.objectStore ? null : mkdtempSync(join(tmpdir(), "opsc-objects-"));
  const objectStore = options.objectStore ?? new FsObjectStore({ root: objectsDir! });
  const database = await createTestDatabase();
  const redis = await createTestRedis();
  await migrateAuth(database.url);
  await migrateUsers(database.url);
  await migrateTargets(database.url);
  await migrateDiscovery(database.url);
  await migrateExecution(database.url);
  await migrateJobs(database.url);
  await migrateAudit(database.url);
  const log = createLogger({ service: "test", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const authDb = createDb<AuthDatabase>({ url: database.url, schema: AUTH_SCHEMA, poolMax: 5 });
  const usersDb = createDb<UsersDatabase>({ url: database.url, schema: USERS_SCHEMA, poolMax: 5 });
  const targetsDb = createDb<TargetsDatabase>({ url: database.url, schema: TARGETS_SCHEMA, poolMax: 5 });
  const executionDb = createDb<ExecutionDatabase>({
    url: database.url,
    schema: EXECUTION_SCHEMA,
    poolMax: 5,
  });
  const discoveryDb = createDb<DiscoveryDatabase>({
    url: database.url,
    schema: DISCOVERY_SCHEMA,
    poolMax: 5,
  });
  const jobsDb = createDb<JobsDatabase>({ url: database.url, schema: JOBS_SCHEMA, poolMax: 5 });
  const auditDb = createDb<AuditDatabase>({ url: database.url, schema: AUDIT_SCHEMA, poolMax: 5 });
  const auth = createBetterAuth({
    db: authDb.db,
    secret: "test-secret-0123456789abcdef0123456789",
    publicUrl: "http://localhost",
    signInRateLimit: { max: options.signInMax ?? 50, windowSeconds: 60 },
    quiet: true,
  });
  // The cache is on, as in production: every test that changes an identity also proves the change reaches the services.
  const identityCache = new IdentityCache({ redis: redis.redis, prefix: redis.prefix });
  const authApp = createAuthApp({
    identityCache,
    db: authDb.db,
    auth,
    redis: redis.redis,
    log,
    internalToken: INTERNAL_TOKEN,
    trustedProxies: ["127.0.0.1"],
    setupToken: "test-setup-token-0123456789",
  });
  const identity = createInternalClient<IdentityRouter>({
    baseUrl: "http://localhost",
    name: "identity",
    token: INTERNAL_TOKEN,
    fetch: (input, init) => authApp.handle(new Request(input, init)),
  });
  const usersApp = createUsersApp({
    identityCache,
    db: usersDb.db,
    identity,
    redis: redis.redis,
    log,
    trustedProxies: ["127.0.0.1"],
  });
  const vault = parseVaultKeys(VAULT_KEYS);
  const targetsDeps = {
    db: targetsDb.db,
    vault,
    log,
    defaultIntervalSeconds: 60,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
  };
  const targetsApp = createTargetsApp({
    identityCache,
    ...targetsDeps,
    redis: redis.redis,
    identity,
    internalToken: INTERNAL_TOKEN,
    trustedProxies: ["127.0.0.1"],
  });
  const discoveryDeps = {
    db: discoveryDb.db,
    log,
    // Scan jobs go to the test's own Redis prefix; a test runs them with the system worker's discovery module.
    producer: createProducer({ redis: redis.redis, prefix: redis.prefix, catalog: discoveryJobs }),
    inventory: createInternalClient<TargetsInternalRouter>({
      baseUrl: "http://localhost",
      name: "targets",
      token: INTERNAL_TOKEN,
      fetch: (input, init) => targetsApp.handle(new Request(input, init)),
    }),
    maxAddresses: 65_536,
  };
  const discoveryApp = createDiscoveryApp({
    identityCache,
    ...discoveryDeps,
    redis: redis.redis,
    identity,
    internalToken: INTERNAL_TOKEN,
    trustedProxies: ["127.0.0.1"],
  });

  const executionDeps = {
    db: executionDb.db,
    redis: redis.redis,
    prefix: redis.prefix,
    log,
    inventory: createInternalClient<TargetsInternalRouter>({
      baseUrl: "http://localhost",
      name: "targets",
      token: INTERNAL_TOKEN,
      fetch: (input, init) => targetsApp.handle(new Request(input, init)),
    }),
    dispatcher: new Dispatcher(redis.redis, redis.prefix),
    objectStore,
    vault: parseVaultKeys(VAULT_KEYS),
  };
  const executionApp = createExecutionApp({
    ...executionDeps,
    identityCache,
    identity,
    internalToken: INTERNAL_TOKEN,
    trustedProxies: ["127.0.0.1"],
  });
  // The service's background parts run as in production: reports are ingested, the reconciler leads.
  const ingester = new ReportIngester(executionDeps);
  await ingester.start();
  const reconciler = new Reconciler(executionDeps, { intervalMs: options.reconcileIntervalMs ?? 500 });
  await reconciler.start();
  const retries = new RetryDispatcher(executionDeps, { intervalMs: 100 });
  retries.start();

  // The jobs service calls targets (choices) and execution (runs) through their internal routers, in process.
  const jobsDeps = {
    db: jobsDb.db,
    log,
    identity,
    inventory: createInternalClient<TargetsInternalRouter>({
      baseUrl: "http://localhost",
      name: "targets",
      token: INTERNAL_TOKEN,
      fetch: (input, init) => targetsApp.handle(new Request(input, init)),
    }),
    execution: createInternalClient<ExecutionInternalRouter>({
      baseUrl: "http://localhost",
      name: "execution",
      token: INTERNAL_TOKEN,
      fetch: (input, init) => executionApp.handle(new Request(input, init)),
    }),
    vault: parseVaultKeys(VAULT_KEYS),
    scheduleMinIntervalSeconds: 60,
  };
  const jobsApp = createJobsApp({
    identityCache,
    ...jobsDeps,
    redis: redis.redis,
    redisPrefix: redis.prefix,
    internalToken: INTERNAL_TOKEN,
    trustedProxies: ["127.0.0.1"],
  });

  // The audit service stores what the relays publish, as in production (its consumer group on the events stream).
  const auditDeps = { db: auditDb.db, log };
  const auditApp = createAuditApp({
    ...auditDeps,
    identityCache,
    identity,
    redis: redis.redis,
    trustedProxies: ["127.0.0.1"],
  });
  const auditConsumer = new AuditConsumer({ ...auditDeps, redis: redis.redis, redisPrefix: redis.prefix });
  await auditConsumer.start();

  /** The gateway's routing, in process: each prefix reaches the service that owns it. */
  const handle = (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const path = new URL(request.url).pathname;
    if (path.startsWith("/internal/")) return Promise.resolve(new Response("not routed", { status: 404 }));
    if (path.startsWith("/trpc/users") || path.startsWith("/api/v1/users")) return usersApp.handle(request);
    if (path.startsWith("/trpc/targets") || path.startsWith("/api/v1/targets"))
      return targetsApp.handle(request);
    if (path.startsWith("/trpc/discovery") || path.startsWith("/api/v1/discovery"))
      return discoveryApp.handle(request);
    if (path.startsWith("/trpc/execution") || path.startsWith("/api/v1/execution"))
      return executionApp.handle(request);
    if (path.startsWith("/trpc/jobs") || path.startsWith("/api/v1/jobs")) return jobsApp.handle(request);
    if (path.startsWith("/trpc/audit") || path.startsWith("/api/v1/audit")) return auditApp.handle(request);
    return authApp.handle(request);
  };

  const relays = [
    new OutboxRelay({
      db: authDb.db,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      service: "auth",
      schema: AUTH_SCHEMA,
      log,
    }),
    new OutboxRelay({
      db: usersDb.db,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      service: "users",
      schema: USERS_SCHEMA,
      log,
    }),
    new OutboxRelay({
      db: targetsDb.db,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      service: "targets",
      schema: TARGETS_SCHEMA,
      domainEvents: true,
      log,
    }),
    new OutboxRelay({
      db: executionDb.db,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      service: "execution",
      schema: EXECUTION_SCHEMA,
      domainEvents: true,
      log,
    }),
    new OutboxRelay({
      db: discoveryDb.db,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      service: "discovery",
      schema: DISCOVERY_SCHEMA,
      domainEvents: true,
      log,
    }),
    new OutboxRelay({
      db: jobsDb.db,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      service: "jobs",
      schema: JOBS_SCHEMA,
      domainEvents: true,
      log,
    }),
  ];

  const client = (credentials: { token?: string; apiKey?: string } = {}) =>
    createOpsClient({ baseUrl: "http://localhost", fetch: handle as typeof fetch, ...credentials });

  async function signIn(email: string, password = PASSWORD): Promise<SignedInUser> {
    const response = await handle("http://localhost/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (!response.ok)
      throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
    const token = response.headers.get("set-auth-token");
    const body = (await response.json()) as { user: { id: string } };
    if (!token) throw new Error("sign-in returned no bearer token");
    return { id: body.user.id, email, token, client: client({ token }) };
  }

  const admin = await createFirstAdmin(
    { db: authDb.db, auth, log, setupToken: undefined },
    { actorId: null, apiKeyId: null, sourceIp: null, requestId: null },
    { email: "admin@example.com", name: "Admin", password: PASSWORD },
  );
  const adminUser = await signIn("admin@example.com");

  /** Creates a user with `role` through the API (as the admin) and signs them in. */
  async function createUser(role: TRole, email = `${role}-${crypto.randomUUID().slice(0, 8)}@example.com`) {
    await adminUser.client.users.accounts.create.mutate({
      email,
      name: `${role} user`,
      role,
      password: PASSWORD,
    });
    return signIn(email);
  }

  return {
    database,
    redis,
    auth,
    authDb: authDb.db,
    usersDb: usersDb.db,
    targetsDb: targetsDb.db,
    targetsApp,
    targetsDeps,
    discoveryDb: discoveryDb.db,
    discoveryApp,
    discoveryDeps,
    executionDb: executionDb.db,
    executionDeps,
    executionApp,
    jobsDb: jobsDb.db,
    jobsDeps,
    jobsApp,
    auditDb: auditDb.db,
    auditDeps,
    auditApp,
    auditConsumer,
    reconciler,
    ingester,
    vaultKeys: VAULT_KEYS,
    objectStore,
    handle,
    authApp,
    internalToken: INTERNAL_TOKEN,
    client,
    signIn,
    createUser,
    admin: { ...adminUser, id: admin.userId },
    relays,
    async stop() {
      await retries.stop();
      await reconciler.stop();
      await ingester.stop();
      await auditConsumer.stop();
      await Promise.all(relays.map((relay) => relay.stop()));
      // pg's pool.end() resolves before its sockets have closed, so the forced database drop below may terminate
      // a connection that is still closing. Expected at teardown; without a listener it is an unhandled error.
      for (const { pool } of [authDb, usersDb, targetsDb, discoveryDb, executionDb, jobsDb, auditDb])
        pool.on("error", () => undefined);
      await authDb.db.destroy();
      await usersDb.db.destroy();
      await targetsDb.db.destroy();
      await discoveryDb.db.destroy();
      await executionDb.db.destroy();
      await jobsDb.db.destroy();
      await auditDb.db.destroy();
      await redis.cleanup();
      await database.drop();
      await objectStore.close();
      if (objectsDir) rmSync(objectsDir, { recursive: true, force: true });
    },
  };
}

export type TestSystem = Awaited<ReturnType<typeof startSystem>>;
