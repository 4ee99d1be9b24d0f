import type { IdentityRouter } from "@opsc/auth/internal";
import { createInternalClient, serveUntilSignal } from "@opsc/server-kit";
import { startServiceRuntime } from "@opsc/server-kit/runtime";
import { createTargetsApp } from "./app.ts";
import { TARGETS_SCHEMA, type TargetsDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";

const env = loadEnv();
const { log, db, redis, identityCache, close } = await startServiceRuntime<TargetsDatabase>({
  service: "targets",
  schema: TARGETS_SCHEMA,
  env,
  migrate,
  domainEvents: true,
});
const identity = createInternalClient<IdentityRouter>({
  baseUrl: env.AUTH_INTERNAL_URL,
  name: "identity",
  token: env.internal.internalToken,
});
const app = createTargetsApp({
  identityCache,
  db,
  redis,
  log,
  identity,
  vault: env.vault,
  defaultIntervalSeconds: env.HEALTH_DEFAULT_INTERVAL_SECONDS,
  connectTimeoutMs: env.CONNECT_TIMEOUT_MS,
  internalToken: env.internal.internalToken,
  trustedProxies: env.internal.trustedProxies,
});
serveUntilSignal(app, { host: env.HOST, port: env.PORT, log, service: "targets", close });
