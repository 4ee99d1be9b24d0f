import { isDatabaseReady } from "@opsc/db";
import { createServiceHttp, type IdentityCache, remoteAuthenticate } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { JobsServiceDeps } from "./deps.ts";
import { createJobsInternalRouter } from "./internal/router.ts";
import { createJobsRouter } from "./router.ts";
import { createWebhookTriggerRoutes } from "./webhooks/trigger.ts";

export interface JobsAppDeps extends JobsServiceDeps {
  redis: Redis;
  /** The service's Redis key prefix (webhook nonces are remembered under it). */
  redisPrefix: string;
  /** Reuses resolved callers until the auth service reports an identity change. */
  identityCache: IdentityCache;
  internalToken: string;
  trustedProxies: string[];
}

export function createJobsApp(deps: JobsAppDeps) {
  const http = createServiceHttp({
    service: "jobs",
    log: deps.log,
    trustedProxies: deps.trustedProxies,
    readiness: {
      postgres: () => isDatabaseReady(deps.db),
      redis: async () => (await deps.redis.ping()) === "PONG",
    },
  });
  return (
    new Elysia({ name: "jobs" })
      .use(http.health())
      // Before the router's `/api/v1/jobs/*`: the webhook trigger reads and checks the raw body itself.
      .use(createWebhookTriggerRoutes(deps, http))
      .use(
        http.mountRouter(
          "jobs",
          createJobsRouter(deps),
          deps.identityCache.wrap(remoteAuthenticate(deps.identity)),
        ),
      )
      .use(http.mountInternalRouter("jobs", createJobsInternalRouter(deps), deps.internalToken))
  );
}
