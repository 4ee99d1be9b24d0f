import { OutboxRelay } from "@opsc/audit";
import type { IdentityRouter } from "@opsc/auth/internal";
import { createDb } from "@opsc/db";
import { createLogger } from "@opsc/logger";
import { createInternalClient, IdentityCache, serveUntilSignal } from "@opsc/server-kit";
import { createProducer } from "@opsc/streams";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import Redis from "ioredis";
import { createDiscoveryApp } from "./app.ts";
import { DISCOVERY_SCHEMA, type DiscoveryDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";
import { discoveryJobs } from "./runs/scan-job.ts";

const env = loadEnv();
const log = createLogger({ service: "discovery", level: env.LOG_LEVEL });

if (env.database.migrateOnStart) await migrate(env.database.databaseUrl);
const { db } = createDb<DiscoveryDatabase>({
  url: env.database.databaseUrl,
  schema: DISCOVERY_SCHEMA,
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
  service: "discovery",
  schema: DISCOVERY_SCHEMA,
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
const inventory = createInternalClient<TargetsInternalRouter>({
  baseUrl: env.TARGETS_INTERNAL_URL,
  name: "targets",
  token: env.internal.internalToken,
});
const app = createDiscoveryApp({
  identityCache,
  db,
  redis,
  log,
  identity,
  inventory,
  producer: createProducer({ redis, prefix: env.redis.redisPrefix, catalog: discoveryJobs }),
  maxAddresses: env.DISCOVERY_MAX_ADDRESSES,
  internalToken: env.internal.internalToken,
  trustedProxies: env.internal.trustedProxies,
});
serveUntilSignal(app, {
  host: env.HOST,
  port: env.PORT,
  log,
  service: "discovery",
  close: [() => relay.stop(), () => redis.disconnect(), () => db.destroy()],
});
