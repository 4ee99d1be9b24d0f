import { createLogger } from "@opsc/logger";
import { serveUntilSignal } from "@opsc/server-kit";
import Redis from "ioredis";
import { createSchedulerApp } from "./app.ts";
import { loadEnv } from "./env.ts";
import { createJobsClient } from "./jobs-client.ts";
import { Scheduler } from "./scheduler.ts";

const env = loadEnv();
const log = createLogger({ service: "scheduler", level: env.logLevel });
// Commands fail fast while Redis is down (the lease steps down, readiness fails) instead of queueing forever.
const redis = new Redis(env.redis.redisUrl, { maxRetriesPerRequest: 3 });
const scheduler = new Scheduler({
  redis,
  prefix: env.redis.redisPrefix,
  jobs: createJobsClient({ baseUrl: env.jobsUrl, internalToken: env.internal.internalToken }),
  log,
  tickMs: env.tickMs,
  leaseTtlMs: env.leaseTtlMs,
  batchSize: env.batchSize,
});

// Listen first, so /healthz answers and /readyz says why while the scheduler connects.
serveUntilSignal(createSchedulerApp(scheduler, { redis, log, trustedProxies: env.internal.trustedProxies }), {
  host: env.host,
  port: env.port,
  log,
  service: "scheduler",
  close: [() => scheduler.stop()],
});
try {
  await scheduler.start();
} catch (error) {
  log.fatal({ err: error }, "scheduler failed to start");
  process.exit(1);
}
