import { isDatabaseReady } from "@opsc/db";
import { type Authenticate, callInternal, createServiceHttp } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { IdentityClient } from "./authenticate.ts";
import type { TargetsServiceDeps } from "./deps.ts";
import { createTargetsInternalRouter } from "./internal/router.ts";
import { createTargetsRouter } from "./router.ts";

export interface TargetsAppDeps extends TargetsServiceDeps {
  redis: Redis;
  identity: IdentityClient;
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
  const authenticate: Authenticate = (headers, request) =>
    callInternal(() => deps.identity({ ...request, caller: null, headers }).authenticate.query());
  return new Elysia({ name: "targets" })
    .use(http.health())
    .use(http.mountRouter("targets", createTargetsRouter(deps), authenticate))
    .use(http.mountInternalRouter("targets", createTargetsInternalRouter(deps), deps.internalToken));
}
