import type { IdentityRouter } from "@opsc/auth/internal";
import { isDatabaseReady } from "@opsc/db";
import {
  createServiceHttp,
  type IdentityCache,
  type InternalClient,
  remoteAuthenticate,
} from "@opsc/server-kit";
import { Elysia } from "elysia";
import type { ExecutionServiceDeps } from "./deps.ts";
import { createDownloadRoutes } from "./downloads.ts";
import { createExecutionInternalRouter } from "./internal/router.ts";
import { createExecutionRouter } from "./router.ts";

export interface ExecutionAppDeps extends ExecutionServiceDeps {
  /** The auth service's internal router, which authenticates every request this service receives. */
  identity: InternalClient<IdentityRouter>;
  /** Reuses resolved callers until the auth service reports an identity change. */
  identityCache: IdentityCache;
  trustedProxies: string[];
  internalToken: string;
}

export function createExecutionApp(deps: ExecutionAppDeps) {
  const http = createServiceHttp({
    service: "execution",
    log: deps.log,
    trustedProxies: deps.trustedProxies,
    readiness: {
      postgres: () => isDatabaseReady(deps.db),
      redis: async () => (await deps.redis.ping()) === "PONG",
    },
  });
  const authenticate = deps.identityCache.wrap(remoteAuthenticate(deps.identity));
  return (
    new Elysia({ name: "execution" })
      .use(http.health())
      // Before the router's `/api/v1/execution/*`: the byte downloads tRPC cannot serve.
      .use(createDownloadRoutes(deps, http, authenticate))
      .use(http.mountRouter("execution", createExecutionRouter(deps), authenticate))
      .use(http.mountInternalRouter("execution", createExecutionInternalRouter(deps), deps.internalToken))
  );
}
