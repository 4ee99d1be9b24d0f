import type { IdentityRouter } from "@opsc/auth/internal";
import type { ExecutionInternalRouter } from "@opsc/execution/internal";
import { createInternalClient, serveUntilSignal } from "@opsc/server-kit";
import { startServiceRuntime } from "@opsc/server-kit/runtime";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import { createJobsApp } from "./app.ts";
import { JOBS_SCHEMA, type JobsDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";

const env = loadEnv();
const { log, db, redis, prefix, identityCache, close } = await startServiceRuntime<JobsDatabase>({
  service: "jobs",
  schema: JOBS_SCHEMA,
  env,
  migrate,
  domainEvents: true,
});
const token = env.internal.internalToken;
const app = createJobsApp({
  db,
  log,
  redis,
  identityCache,
  identity: createInternalClient<IdentityRouter>({ baseUrl: env.AUTH_INTERNAL_URL, name: "identity", token }),
  inventory: createInternalClient<TargetsInternalRouter>({
    baseUrl: env.TARGETS_INTERNAL_URL,
    name: "targets",
    token,
  }),
  execution: createInternalClient<ExecutionInternalRouter>({
    baseUrl: env.EXECUTION_INTERNAL_URL,
    name: "execution",
    token,
  }),
  vault: env.vault,
  scheduleMinIntervalSeconds: env.JOBS_SCHEDULE_MIN_INTERVAL_SECONDS,
  redisPrefix: prefix,
  internalToken: token,
  trustedProxies: env.internal.trustedProxies,
});
serveUntilSignal(app, { host: env.HOST, port: env.PORT, log, service: "jobs", close });
