import { OutboxRelay } from "@opsc/audit";
import { createDb } from "@opsc/db";
import { createLogger } from "@opsc/logger";
import { IdentityCache, serveUntilSignal } from "@opsc/server-kit";
import Redis from "ioredis";
import { createAuthApp } from "./app.ts";
import { AUTH_SCHEMA, createBetterAuth } from "./better-auth.ts";
import { loadEnv } from "./env.ts";
import type { AuthDatabase } from "./identity/identity.table.ts";
import { migrate } from "./migrate.ts";

const env = loadEnv();
const log = createLogger({ service: "auth", level: env.LOG_LEVEL });

if (env.database.migrateOnStart) await migrate(env.database.databaseUrl);
const { db } = createDb<AuthDatabase>({
  url: env.database.databaseUrl,
  schema: AUTH_SCHEMA,
  poolMax: env.database.poolMax,
});
const redis = new Redis(env.redis.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
const identityCache = new IdentityCache({
  redis,
  prefix: env.redis.redisPrefix,
  ttlMs: env.redis.identityCacheTtlMs,
});
const auth = createBetterAuth({
  db,
  secret: env.BETTER_AUTH_SECRET,
  publicUrl: env.PUBLIC_URL,
  signInRateLimit: { max: env.SIGN_IN_RATE_LIMIT_MAX, windowSeconds: env.SIGN_IN_RATE_LIMIT_WINDOW_SECONDS },
});
const relay = new OutboxRelay({
  db,
  redis,
  redisPrefix: env.redis.redisPrefix,
  service: "auth",
  schema: AUTH_SCHEMA,
  listenUrl: env.database.databaseUrl,
  log,
});
await relay.start();

const app = createAuthApp({
  identityCache,
  db,
  auth,
  redis,
  log,
  internalToken: env.internal.internalToken,
  trustedProxies: env.internal.trustedProxies,
  setupToken: env.SETUP_TOKEN,
});
serveUntilSignal(app, {
  host: env.HOST,
  port: env.PORT,
  log,
  service: "auth",
  close: [() => relay.stop(), () => redis.disconnect(), () => db.destroy()],
});
