import type { Logger } from "@opsc/logger";
import { createServiceHttp } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { Scheduler } from "./scheduler.ts";

/** The worker's only HTTP surface: `/healthz`, `/readyz` (Redis answers, the scheduler runs) and `/metrics`. */
export function createSchedulerApp(
  scheduler: Scheduler,
  options: { redis: Redis; log: Logger; trustedProxies: string[] },
) {
  const http = createServiceHttp({
    service: "scheduler",
    log: options.log,
    trustedProxies: options.trustedProxies,
    readiness: {
      redis: async () => (await options.redis.ping()) === "PONG",
      scheduler: async () => scheduler.isRunning,
    },
  });
  return new Elysia().use(http.health());
}
