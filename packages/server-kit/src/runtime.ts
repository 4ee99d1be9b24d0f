import { OutboxRelay } from "@opsc/audit";
import { createDb } from "@opsc/db";
import { createLogger, type Logger } from "@opsc/logger";
import Redis from "ioredis";
import type { Kysely } from "kysely";
import { IdentityCache } from "./identity-cache.ts";

/** The part of a service's parsed environment the runtime needs (see @opsc/config). */
export interface ServiceRuntimeEnv {
  LOG_LEVEL: string;
  database: { databaseUrl: string; poolMax: number; migrateOnStart: boolean };
  redis: { redisUrl: string; redisPrefix: string; identityCacheTtlMs: number };
}

/**
 * What every service process starts with, in this order: its logger, its migrations (unless turned off), its
 * database pool on its own schema, Redis, the identity cache, and the outbox relay. `close` lists what the process
 * stops on SIGTERM, relay first; a service adds its own parts in front of it.
 */
export async function startServiceRuntime<Database>(options: {
  service: string;
  schema: string;
  env: ServiceRuntimeEnv;
  migrate: (databaseUrl: string) => Promise<void>;
  /** Relay the service's `event_outbox` too (services that emit domain events). */
  domainEvents?: boolean;
}): Promise<{
  log: Logger;
  db: Kysely<Database>;
  redis: Redis;
  prefix: string;
  identityCache: IdentityCache;
  close: (() => Promise<unknown> | unknown)[];
}> {
  const { env } = options;
  const log = createLogger({ service: options.service, level: env.LOG_LEVEL });
  if (env.database.migrateOnStart) await options.migrate(env.database.databaseUrl);
  const { db } = createDb<Database>({
    url: env.database.databaseUrl,
    schema: options.schema,
    poolMax: env.database.poolMax,
  });
  const redis = new Redis(env.redis.redisUrl, { maxRetriesPerRequest: 3 });
  const prefix = env.redis.redisPrefix;
  const identityCache = new IdentityCache({ redis, prefix, ttlMs: env.redis.identityCacheTtlMs });
  const relay = new OutboxRelay({
    db,
    redis,
    redisPrefix: prefix,
    service: options.service,
    schema: options.schema,
    listenUrl: env.database.databaseUrl,
    ...(options.domainEvents ? { domainEvents: true } : {}),
    log,
  });
  await relay.start();
  return {
    log,
    db,
    redis,
    prefix,
    identityCache,
    close: [() => relay.stop(), () => redis.disconnect(), () => db.destroy()],
  };
}
