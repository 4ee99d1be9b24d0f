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
import type { DiscoveryServiceDeps } from "./deps.ts";
import { createDiscoveryInternalRouter } from "./internal/router.ts";
import { createDiscoveryRouter } from "./router.ts";

export interface DiscoveryAppDeps extends DiscoveryServiceDeps {
  redis: Redis;
  /** The auth service's internal router, which authenticates every request this service receives. */
  identity: InternalClient<IdentityRouter>;
  /** Reuses resolved callers until the auth service reports an identity change. */
  identityCache: IdentityCache;
  internalToken: string;
  trustedProxies: string[];
}

export function createDiscoveryApp(deps: DiscoveryAppDeps) {
  const http = createServiceHttp({
    service: "discovery",
    log: deps.log,
    trustedProxies: deps.trustedProxies,
    readiness: {
      postgres: () => isDatabaseReady(deps.db),
      redis: async () => (await deps.redis.ping()) === "PONG",
    },
  });
  return new Elysia({ name: "discovery" })
    .use(http.health())
    .use(
      http.mountRouter(
        "discovery",
        createDiscoveryRouter(deps),
        deps.identityCache.wrap(remoteAuthenticate(deps.identity)),
      ),
    )
    .use(http.mountInternalRouter("discovery", createDiscoveryInternalRouter(deps), deps.internalToken));
}
