import { createLogger } from "@opsc/logger";
import { serveUntilSignal } from "@opsc/server-kit";
import Redis from "ioredis";
import { createWorkerApp } from "./app.ts";
import { loadEnv } from "./env.ts";
import { createTaskExecutors } from "./executors.ts";
import { ExecutionWorker } from "./worker.ts";

const env = loadEnv();
const log = createLogger({ service: "execution-worker", level: env.logLevel });
const redis = new Redis(env.redis.redisUrl, { maxRetriesPerRequest: 3 });
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
  log,
});

serveUntilSignal(createWorkerApp(worker, { log, trustedProxies: env.internal.trustedProxies, redis }), {
  host: env.host,
  port: env.port,
  log,
  service: "execution-worker",
  close: [() => worker.stop({ timeoutMs: env.shutdownTimeoutMs }), () => redis.disconnect()],
});
try {
  await worker.start();
  log.info({ groups: env.groups, concurrency: env.concurrency }, "execution worker started");
} catch (error) {
  log.fatal({ err: error }, "execution worker failed to start");
  process.exit(1);
}
