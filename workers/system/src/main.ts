import { createLogger } from "@opsc/logger";
import { serveUntilSignal } from "@opsc/server-kit";
import Redis from "ioredis";
import { createWorkerApp } from "./app.ts";
import { loadEnv } from "./env.ts";
import { createModules } from "./modules.ts";
import { SystemWorker } from "./worker.ts";

const env = loadEnv();
const log = createLogger({ service: "system-worker", level: env.logLevel });
// Commands fail fast while Redis is down (the lease steps down, readiness fails) instead of queueing forever.
const redis = new Redis(env.redis.redisUrl, { maxRetriesPerRequest: 3 });
const worker = new SystemWorker({
  redis,
  prefix: env.redis.redisPrefix,
  vault: env.vault,
  internalToken: env.internal.internalToken,
  serviceUrls: env.serviceUrls,
  modules: createModules(env),
  concurrency: env.workerConcurrency,
  log,
});

// Listen first, so /healthz answers and /readyz says why while the worker connects.
serveUntilSignal(createWorkerApp(worker, { log, trustedProxies: env.internal.trustedProxies }), {
  host: env.host,
  port: env.port,
  log,
  service: "system-worker",
  close: [() => worker.stop({ timeoutMs: env.shutdownTimeoutMs })],
});
try {
  await worker.start();
} catch (error) {
  log.fatal({ err: error }, "system worker failed to start");
  process.exit(1);
}
