import type { IdentityRouter } from "@opsc/auth/internal";
import { isDatabaseReady } from "@opsc/db";
import {
  createServiceHttp,
  type IdentityCache,
  type InternalClient,
  remoteAuthenticate,
} from "@opsc/server-kit";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { TargetsServiceDeps } from "./deps.ts";
import { createTargetsInternalRouter } from "./internal/router.ts";
import { createTargetsRouter } from "./router.ts";

export interface TargetsAppDeps extends TargetsServiceDeps {
  redis: Redis;
  /** The auth service's internal router, which authenticates every request this service receives. */
  identity: InternalClient<IdentityRouter>;
  /** Reuses resolved callers until the auth service reports an identity change. */
  identityCache: IdentityCache;
  internalToken: string;
  trustedProxies: string[];
}

export function createTargetsApp(deps: TargetsAppDeps) {
  const http = createServiceHttp({
    service: "targets",
    log: deps.log,
    trustedProxies: deps.trustedProxies,
    readiness: {
      postgres: () => isDatabaseReady(deps.db),
      redis: async () => (await deps.redis.ping()) === "PONG",
    },
  });
  return new Elysia({ name: "targets" })
    .use(http.health())
    .use(
      http.mountRouter(
        "targets",
        createTargetsRouter(deps),
        deps.identityCache.wrap(remoteAuthenticate(deps.identity)),
      ),
    )
    .use(http.mountInternalRouter("targets", createTargetsInternalRouter(deps), deps.internalToken));
}
