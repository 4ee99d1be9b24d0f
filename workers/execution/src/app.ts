import type { Logger } from "@opsc/logger";
import { createServiceHttp } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type { ExecutionWorker } from "./worker.ts";

/** The worker's only HTTP surface: `/healthz`, `/readyz` (Redis answers, the consumer runs) and `/metrics`. */
export function createWorkerApp(
  worker: ExecutionWorker,
  options: { log: Logger; trustedProxies: string[]; redis: { ping(): Promise<string> } },
) {
  const http = createServiceHttp({
    service: "execution-worker",
    log: options.log,
    trustedProxies: options.trustedProxies,
    readiness: {
      redis: async () => (await options.redis.ping()) === "PONG",
      consumer: async () => worker.isRunning,
    },
  });
  return new Elysia().use(http.health());
}
