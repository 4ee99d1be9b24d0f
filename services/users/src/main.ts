import { OutboxRelay } from "@opsc/audit";
import type { IdentityRouter } from "@opsc/auth/internal";
import { createDb } from "@opsc/db";
import { createLogger } from "@opsc/logger";
import { createInternalClient, IdentityCache, serveUntilSignal } from "@opsc/server-kit";
import Redis from "ioredis";
import { createUsersApp } from "./app.ts";
import { USERS_SCHEMA, type UsersDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";

const env = loadEnv();
const log = createLogger({ service: "users", level: env.LOG_LEVEL });

if (env.database.migrateOnStart) await migrate(env.database.databaseUrl);
const { db } = createDb<UsersDatabase>({
  url: env.database.databaseUrl,
  schema: USERS_SCHEMA,
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
  service: "users",
  schema: USERS_SCHEMA,
  listenUrl: env.database.databaseUrl,
  log,
});
await relay.start();

const identity = createInternalClient<IdentityRouter>({
  baseUrl: env.AUTH_INTERNAL_URL,
  name: "identity",
  token: env.internal.internalToken,
});
const app = createUsersApp({
  identityCache,
  db,
  identity,
  redis,
  log,
  trustedProxies: env.internal.trustedProxies,
});
serveUntilSignal(app, {
  host: env.HOST,
  port: env.PORT,
  log,
  service: "users",
  close: [() => relay.stop(), () => redis.disconnect(), () => db.destroy()],
});
