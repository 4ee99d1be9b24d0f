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
import type { AuditServiceDeps } from "./deps.ts";
import { createExportRoutes } from "./records/export.ts";
import { createAuditRouter } from "./router.ts";

export interface AuditAppDeps extends AuditServiceDeps {
  redis: Redis;
  identity: InternalClient<IdentityRouter>;
  /** Reuses resolved callers until the auth service reports an identity change. */
  identityCache: IdentityCache;
  trustedProxies: string[];
}

export function createAuditApp(deps: AuditAppDeps) {
  const http = createServiceHttp({
    service: "audit",
    log: deps.log,
    trustedProxies: deps.trustedProxies,
    readiness: {
      postgres: () => isDatabaseReady(deps.db),
      redis: async () => (await deps.redis.ping()) === "PONG",
    },
  });
  const authenticate = deps.identityCache.wrap(remoteAuthenticate(deps.identity));
  return (
    new Elysia({ name: "audit" })
      .use(http.health())
      // Before the router's `/api/v1/audit/*`: the exports stream their own bodies.
      .use(createExportRoutes(deps, http, authenticate))
      .use(http.mountRouter("audit", createAuditRouter(deps), authenticate))
  );
}
