import type { Logger } from "@opsc/logger";
import { createServiceHttp } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type { SystemWorker } from "./worker.ts";

/** The worker's only HTTP surface: `/healthz`, `/readyz` (Redis answers, the consumer runs) and `/metrics`. */
export function createWorkerApp(worker: SystemWorker, options: { log: Logger; trustedProxies: string[] }) {
  const http = createServiceHttp({
    service: "system-worker",
    log: options.log,
    trustedProxies: options.trustedProxies,
    readiness: {
      redis: async () => (await worker.deps.redis.ping()) === "PONG",
      consumer: async () => worker.isRunning,
    },
  });
  return new Elysia().use(http.health());
}
