import { isDatabaseReady } from "@opsc/db";
import type { Logger } from "@opsc/logger";
import { createServiceHttp, type IdentityCache, type RequestInfo } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { Kysely } from "kysely";
import { type BetterAuth, CLIENT_IP_HEADER } from "./better-auth.ts";
import * as identity from "./identity/identity.service.ts";
import type { AuthDatabase } from "./identity/identity.table.ts";
import { createIdentityRouter } from "./internal/router.ts";
import { createAuthRouter } from "./router.ts";

export interface AuthAppDeps {
  db: Kysely<AuthDatabase>;
  auth: BetterAuth;
  redis: Redis;
  /** Told after every identity change, so that no service keeps using a caller that no longer resolves. */
  identityCache: IdentityCache;
  log: Logger;
  internalToken: string;
  trustedProxies: string[];
  setupToken: string | undefined;
}

/** better-auth sees the client address we resolved (trusted proxies only), never one a client sent. */
function withClientIp(request: Request, info: RequestInfo): Request {
  const headers = new Headers(request.headers);
  headers.delete(CLIENT_IP_HEADER);
  if (info.sourceIp) headers.set(CLIENT_IP_HEADER, info.sourceIp);
  headers.set("x-request-id", info.requestId);
  return new Request(request, { headers });
}

/**
 * The better-auth endpoints reachable over HTTP. Everything else better-auth offers (its admin endpoints, profile
 * and API-key endpoints, sign-up) would change identity data without our role rules and audit records, so those
 * operations go through the users service's procedures, and the paths below are the only ones served.
 */
const PUBLIC_AUTH_PATHS = new Set([
  "GET /api/auth/get-session",
  "POST /api/auth/sign-in/email",
  "POST /api/auth/sign-out",
  "GET /api/auth/token",
  "GET /api/auth/jwks",
  "POST /api/auth/two-factor/verify-totp",
  "POST /api/auth/two-factor/verify-backup-code",
]);

export function createAuthApp(deps: AuthAppDeps) {
  const http = createServiceHttp({
    service: "auth",
    log: deps.log,
    trustedProxies: deps.trustedProxies,
    readiness: {
      postgres: () => isDatabaseReady(deps.db),
      redis: async () => (await deps.redis.ping()) === "PONG",
    },
  });
  const identityDeps = { db: deps.db, auth: deps.auth, log: deps.log };
  return new Elysia({ name: "auth" })
    .use(http.health())
    .all(
      "/api/auth/*",
      http.instrument("/api/auth", async (request, info) => {
        const path = new URL(request.url).pathname.replace(/\/+$/, "");
        if (!PUBLIC_AUTH_PATHS.has(`${request.method} ${path}`)) {
          return Response.json(
            { error: { code: "NOT_FOUND", message: "Not found", requestId: info.requestId } },
            { status: 404 },
          );
        }
        const response = await deps.auth.handler(withClientIp(request, info));
        // Sign-in, sign-out and 2FA verification create or end sessions.
        if (request.method !== "GET") await deps.identityCache.invalidate();
        return response;
      }),
    )
    .use(
      http.mountRouter(
        "auth",
        createAuthRouter({ ...identityDeps, setupToken: deps.setupToken }),
        (headers) => identity.authenticate(identityDeps, headers),
      ),
    )
    .use(
      http.mountInternalRouter(
        "identity",
        createIdentityRouter(identityDeps, { onChange: () => deps.identityCache.invalidate() }),
        deps.internalToken,
      ),
    );
}
