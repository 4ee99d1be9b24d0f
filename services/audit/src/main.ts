import type { IdentityRouter } from "@opsc/auth/internal";
import { createObjectStore } from "@opsc/objectstore";
import { createInternalClient, serveUntilSignal } from "@opsc/server-kit";
import { startServiceRuntime } from "@opsc/server-kit/runtime";
import { createAuditApp } from "./app.ts";
import { AUDIT_SCHEMA, type AuditDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { migrate } from "./migrate.ts";
import { AuditConsumer } from "./records/consumer.ts";
import { archiveExpiredRecords } from "./records/retention.service.ts";

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

const env = loadEnv();
const { log, db, redis, prefix, identityCache, close } = await startServiceRuntime<AuditDatabase>({
  service: "audit",
  schema: AUDIT_SCHEMA,
  env,
  migrate,
});
const consumer = new AuditConsumer({ db, log, redis, redisPrefix: prefix });
await consumer.start();
// Retention (AUDIT_RETENTION_DAYS): hourly; an advisory lock lets one replica archive at a time.
const objectStore = env.AUDIT_RETENTION_DAYS ? createObjectStore(env.objectStore) : null;
const retentionTimer =
  objectStore && env.AUDIT_RETENTION_DAYS
    ? setInterval(() => {
        archiveExpiredRecords({ db, log, objectStore }, { retentionDays: env.AUDIT_RETENTION_DAYS! }).catch(
          (error) => log.error({ err: error }, "audit retention failed; will retry"),
        );
      }, RETENTION_INTERVAL_MS)
    : null;
const app = createAuditApp({
  db,
  log,
  redis,
  identityCache,
  identity: createInternalClient<IdentityRouter>({
    baseUrl: env.AUTH_INTERNAL_URL,
    name: "identity",
    token: env.internal.internalToken,
  }),
  trustedProxies: env.internal.trustedProxies,
});
serveUntilSignal(app, {
  host: env.HOST,
  port: env.PORT,
  log,
  service: "audit",
  close: [
    () => consumer.stop(),
    () => (retentionTimer ? clearInterval(retentionTimer) : undefined),
    ...close,
    () => objectStore?.close(),
  ],
});
