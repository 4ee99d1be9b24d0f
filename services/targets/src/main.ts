import { OutboxRelay } from "@opsc/audit";
import type { IdentityRouter } from "@opsc/auth/internal";
import { createDb } from "@opsc/db";
import { createLogger } from "@opsc/logger";
import { createInternalClient, IdentityCache, serveUntilSignal } from "@opsc/server-kit";
import Redis from "ioredis";
import { createTargetsApp } from "./app.ts";
import { TARGETS_SCHEMA, type TargetsDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";

const env = loadEnv();
const log = createLogger({ service: "targets", level: env.LOG_LEVEL });

if (env.database.migrateOnStart) await migrate(env.database.databaseUrl);
const { db } = createDb<TargetsDatabase>({
  url: env.database.databaseUrl,
  schema: TARGETS_SCHEMA,
  poolMax: env.database.poolMax,
});
const redis = new Redis(env.redis.redisUrl, { maxRetriesPerRequest: 3 });
const identityCache = new IdentityCache({
  redis,
  prefix: env.redis.redisPrefix,
  ttlMs: env.redis.identityCacheTtlMs,
});
const relay = new OutboxRelay({
  db,
  redis,
  redisPrefix: env.redis.redisPrefix,
  service: "targets",
  schema: TARGETS_SCHEMA,
  listenUrl: env.database.databaseUrl,
  domainEvents: true,
  log,
});
await relay.start();

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
serveUntilSignal(app, {
  host: env.HOST,
  port: env.PORT,
  log,
  service: "targets",
  close: [() => relay.stop(), () => redis.disconnect(), () => db.destroy()],
});
