import { isDatabaseReady } from "@opsc/db";
import { type Authenticate, callInternal, createServiceHttp } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { IdentityClient } from "./authenticate.ts";
import type { DiscoveryServiceDeps } from "./deps.ts";
import { createDiscoveryInternalRouter } from "./internal/router.ts";
import { createDiscoveryRouter } from "./router.ts";

export interface DiscoveryAppDeps extends DiscoveryServiceDeps {
  redis: Redis;
  identity: IdentityClient;
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
  const authenticate: Authenticate = (headers, request) =>
    callInternal(() => deps.identity({ ...request, caller: null, headers }).authenticate.query());
  return new Elysia({ name: "discovery" })
    .use(http.health())
    .use(http.mountRouter("discovery", createDiscoveryRouter(deps), authenticate))
    .use(http.mountInternalRouter("discovery", createDiscoveryInternalRouter(deps), deps.internalToken));
}
