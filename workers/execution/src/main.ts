import { createLogger } from "@opsc/logger";
import { createObjectStore } from "@opsc/objectstore";
import { serveUntilSignal } from "@opsc/server-kit";
import Redis from "ioredis";
import { createWorkerApp } from "./app.ts";
import { loadEnv } from "./env.ts";
import { createTaskExecutors } from "./executors.ts";
import { ExecutionWorker } from "./worker.ts";

const env = loadEnv();
const log = createLogger({ service: "execution-worker", level: env.logLevel });
const redis = new Redis(env.redis.redisUrl, { maxRetriesPerRequest: 3 });
// Where the tasks' artifacts go; the execution service reads them from the same store.
const objectStore = createObjectStore(env.objectStore);
if (!(await objectStore.isReady()))
  log.warn(
    { store: objectStore.kind },
    "the object store does not answer yet; tasks that save files will fail",
  );
const worker = new ExecutionWorker({
  redis,
  prefix: env.redis.redisPrefix,
  groups: env.groups,
  concurrency: env.concurrency,
  killGraceMs: env.killGraceMs,
  leaseMs: env.leaseMs,
  executors: createTaskExecutors({
    vault: env.vault,
    localEnabled: env.localEnabled,
    connectTimeoutMs: env.connectTimeoutMs,
  }),
  artifacts: { store: objectStore, ...env.artifacts },
  log,
});

serveUntilSignal(createWorkerApp(worker, { log, trustedProxies: env.internal.trustedProxies, redis }), {
  host: env.host,
  port: env.port,
  log,
  service: "execution-worker",
  close: [
    () => worker.stop({ timeoutMs: env.shutdownTimeoutMs }),
    () => redis.disconnect(),
    () => objectStore.close(),
  ],
});
try {
  await worker.start();
  log.info({ groups: env.groups, concurrency: env.concurrency }, "execution worker started");
} catch (error) {
  log.fatal({ err: error }, "execution worker failed to start");
  process.exit(1);
}
