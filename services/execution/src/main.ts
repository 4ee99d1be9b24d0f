import type { IdentityRouter } from "@opsc/auth/internal";
import { createObjectStore } from "@opsc/objectstore";
import { createInternalClient, serveUntilSignal } from "@opsc/server-kit";
import { startServiceRuntime } from "@opsc/server-kit/runtime";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import { createExecutionApp } from "./app.ts";
import { EXECUTION_SCHEMA, type ExecutionDatabase } from "./database.ts";
import { loadEnv } from "./env.ts";
import { ReportIngester } from "./ingest/ingester.ts";
import { Reconciler } from "./ingest/reconciler.ts";
import { migrate } from "./migrate.ts";
import { Dispatcher } from "./runs/dispatch.ts";
import { RetryDispatcher } from "./runs/retries.ts";

const env = loadEnv();
const { log, db, redis, prefix, identityCache, close } = await startServiceRuntime<ExecutionDatabase>({
  service: "execution",
  schema: EXECUTION_SCHEMA,
  env,
  migrate,
  domainEvents: true,
});

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
// Artifacts (written by the workers into the same store) and run log archives.
const objectStore = createObjectStore(env.objectStore);
if (!(await objectStore.isReady()))
  log.warn({ store: objectStore.kind }, "the object store does not answer yet; log archives will be retried");
const deps = {
  db,
  redis,
  prefix,
  log,
  inventory,
  dispatcher: new Dispatcher(redis, prefix),
  objectStore,
  vault: env.vault,
  retention: { logRetentionDays: env.LOG_RETENTION_DAYS, runRetentionDays: env.RUN_RETENTION_DAYS },
};
const ingester = new ReportIngester(deps);
await ingester.start();
const reconciler = new Reconciler(deps, { intervalMs: env.RECONCILE_INTERVAL_MS });
await reconciler.start();
const retries = new RetryDispatcher(deps);
retries.start();

const app = createExecutionApp({
  ...deps,
  identity,
  identityCache,
  trustedProxies: env.internal.trustedProxies,
  internalToken: env.internal.internalToken,
});
serveUntilSignal(app, {
  host: env.HOST,
  port: env.PORT,
  log,
  service: "execution",
  close: [
    () => retries.stop(),
    () => reconciler.stop(),
    () => ingester.stop(),
    ...close,
    () => objectStore.close(),
  ],
});
