import { isDatabaseReady } from "@opsc/db";
import type { Logger } from "@opsc/logger";
import {
  createServiceHttp,
  type IdentityCache,
  type InternalClient,
  remoteAuthenticate,
} from "@opsc/server-kit";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { UsersDeps } from "./deps.ts";
import { createUsersRouter } from "./router.ts";

export interface UsersAppDeps extends UsersDeps {
  redis: Redis;
  /** Reuses resolved callers until the auth service reports an identity change. */
  identityCache: IdentityCache;
  log: Logger;
  trustedProxies: string[];
}

export function createUsersApp(deps: UsersAppDeps) {
  const http = createServiceHttp({
    service: "users",
    log: deps.log,
    trustedProxies: deps.trustedProxies,
    readiness: {
      postgres: () => isDatabaseReady(deps.db),
      redis: async () => (await deps.redis.ping()) === "PONG",
    },
  });
  return new Elysia({ name: "users" })
    .use(http.health())
    .use(
      http.mountRouter(
        "users",
        createUsersRouter(deps),
        deps.identityCache.wrap(remoteAuthenticate(deps.identity)),
      ),
    );
}
