import { timingSafeEqual } from "node:crypto";
import type { Logger } from "@opsc/logger";
import type { AnyTRPCRouter } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Elysia } from "elysia";
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { createAddressMatcher, resolveClientIp } from "./client-ip.ts";
import type { Authenticate, RequestContext } from "./context.ts";
import {
  decodeCaller,
  INTERNAL_CALLER_HEADER,
  INTERNAL_CLIENT_IP_HEADER,
  INTERNAL_TOKEN_HEADER,
} from "./internal-client.ts";
import { httpDuration, metricsRegistry } from "./metrics.ts";
import { createServiceOpenApiDocument } from "./openapi.ts";
import { describeIssues } from "./trpc.ts";

export interface RequestInfo {
  requestId: string;
  sourceIp: string | null;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface ServiceHttpOptions {
  service: string;
  version?: string;
  log: Logger;
  trustedProxies: string[];
  /** Named readiness probes; /readyz answers 503 naming the ones that fail. */
  readiness?: Record<string, () => Promise<boolean>>;
}

/** The parts every service process shares: request ids, client address, access log, metrics, health. */
export function createServiceHttp(options: ServiceHttpOptions) {
  const isTrustedProxy = createAddressMatcher(options.trustedProxies);
  const { log, service } = options;

  /** Request id and client address, computed once per request. */
  function describeRequest(request: Request, peerAddress: string | null): RequestInfo {
    const incoming = request.headers.get("x-request-id");
    return {
      requestId: incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID(),
      sourceIp: resolveClientIp(request.headers, peerAddress, isTrustedProxy),
    };
  }

  /** Wraps a handler with the access log, the latency histogram and the x-request-id response header. */
  function instrument(
    route: string,
    handler: (request: Request, info: RequestInfo) => Promise<Response> | Response,
  ) {
    return async ({
      request,
      server,
    }: {
      request: Request;
      server: { requestIP(r: Request): { address: string } | null } | null;
    }) => {
      const startedAt = performance.now();
      const info = describeRequest(request, server?.requestIP(request)?.address ?? null);
      let response: Response;
      try {
        response = await handler(request, info);
      } catch (error) {
        log.error({ err: error, requestId: info.requestId, route }, "unhandled error");
        response = Response.json(
          {
            error: {
              code: "INTERNAL_SERVER_ERROR",
              message: `Internal error (request ${info.requestId})`,
              requestId: info.requestId,
            },
          },
          { status: 500 },
        );
      }
      const elapsedMs = performance.now() - startedAt;
      httpDuration.observe(
        { service, method: request.method, route, status: String(response.status) },
        elapsedMs / 1000,
      );
      const level = response.status >= 500 ? "error" : "info";
      log[level](
        {
          requestId: info.requestId,
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          durationMs: Math.round(elapsedMs * 10) / 10,
          sourceIp: info.sourceIp,
        },
        "request",
      );
      const headers = new Headers(response.headers);
      headers.set("x-request-id", info.requestId);
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    };
  }

  function health() {
    return new Elysia({ name: `health-${service}` })
      .get("/healthz", () => ({ status: "ok", service }))
      .get("/readyz", async ({ set }) => {
        const entries = await Promise.all(
          Object.entries(options.readiness ?? {}).map(
            async ([name, probe]) => [name, await probe().catch(() => false)] as const,
          ),
        );
        const failing = entries.filter(([, ok]) => !ok).map(([name]) => name);
        set.status = failing.length ? 503 : 200;
        return { status: failing.length ? "unavailable" : "ready", service, failing };
      })
      .get(
        "/metrics",
        async () =>
          new Response(await metricsRegistry.metrics(), {
            headers: { "content-type": metricsRegistry.contentType },
          }),
      );
  }

  /**
   * Mounts one service router: tRPC under `/trpc/<name>` and the REST bridge under `/api/v1/<name>/...`
   * (procedure paths in the OpenAPI meta start with `/<name>/`), plus the service's own OpenAPI document.
   */
  function mountRouter(name: string, router: AnyTRPCRouter, authenticate: Authenticate) {
    const createContext = async (
      request: Request,
      info: RequestInfo,
      responseHeaders: Headers,
    ): Promise<RequestContext> => ({
      ...info,
      responseHeaders,
      service,
      headers: request.headers,
      caller: await authenticate(request.headers, info),
      log: log.child({ requestId: info.requestId }),
      isInternal: false,
    });
    const document = createServiceOpenApiDocument(router, {
      title: `OpsConductor ${name}`,
      version: options.version ?? "1.0.0",
    });
    return new Elysia({ name: `router-${name}` })
      .get(`/api/v1/${name}/openapi.json`, () => document)
      .all(
        `/trpc/${name}/*`,
        instrument(`/trpc/${name}`, async (request, info) => {
          const responseHeaders = new Headers();
          const response = await fetchRequestHandler({
            endpoint: `/trpc/${name}`,
            req: request,
            router,
            createContext: () => createContext(request, info, responseHeaders),
          });
          return withHeaders(response, responseHeaders);
        }),
      )
      .all(
        `/api/v1/${name}/*`,
        instrument(`/api/v1/${name}`, async (request, info) => {
          const responseHeaders = new Headers();
          const response = await createOpenApiFetchHandler({
            endpoint: "/api/v1",
            req: request,
            router,
            createContext: () => createContext(request, info, responseHeaders),
          });
          return response.ok
            ? withHeaders(response, responseHeaders)
            : toErrorEnvelope(response, info.requestId);
        }),
      );
  }

  /**
   * Mounts a router that only other services may call, under `/internal/trpc/<name>`. The gateway never routes
   * `/internal/*`; the token is checked here as well. The calling service asserts the end user (x-opsc-caller),
   * which it has authenticated itself.
   */
  function mountInternalRouter(name: string, router: AnyTRPCRouter, internalToken: string) {
    const expected = Buffer.from(internalToken);
    return new Elysia({ name: `internal-${name}` }).all(
      `/internal/trpc/${name}/*`,
      instrument(`/internal/trpc/${name}`, (request, info) => {
        const presented = Buffer.from(request.headers.get(INTERNAL_TOKEN_HEADER) ?? "");
        if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
          return Response.json(
            { error: { code: "UNAUTHORIZED", message: "Internal route", requestId: info.requestId } },
            { status: 401 },
          );
        }
        return fetchRequestHandler({
          endpoint: `/internal/trpc/${name}`,
          req: request,
          router,
          createContext: (): RequestContext => ({
            requestId: info.requestId,
            sourceIp: request.headers.get(INTERNAL_CLIENT_IP_HEADER) || null,
            caller: decodeCaller(request.headers.get(INTERNAL_CALLER_HEADER)),
            headers: request.headers,
            service,
            log: log.child({ requestId: info.requestId, internal: name }),
            isInternal: true,
            responseHeaders: new Headers(),
          }),
        });
      }),
    );
  }

  return { instrument, health, mountRouter, mountInternalRouter, describeRequest, isTrustedProxy };
}

function withHeaders(response: Response, extra: Headers): Response {
  if (![...extra.keys()].length) return response;
  const headers = new Headers(response.headers);
  for (const [key, value] of extra) headers.append(key, value);
  for (const cookie of extra.getSetCookie())
    if (!headers.getSetCookie().includes(cookie)) headers.append("set-cookie", cookie);
  return new Response(response.body, { status: response.status, headers });
}

/** REST errors use one envelope: `{ error: { code, message, requestId, issues } }`. */
async function toErrorEnvelope(response: Response, requestId: string): Promise<Response> {
  const body = (await response.json().catch(() => null)) as {
    message?: string;
    code?: string;
    issues?: { path: (string | number)[]; message: string }[];
    data?: { issues?: { path: (string | number)[]; message: string }[] | null };
  } | null;
  // Our formatter's issues (unknown fields at their own path) win over the bridge's raw zod issues.
  const isValidation = Boolean(body?.issues?.length);
  const issues =
    (body?.data?.issues ?? body?.issues ?? null)?.map((issue) => ({
      path: issue.path,
      message: issue.message,
    })) ?? null;
  // Validation errors list every bad field in the message; a rule error keeps its own message.
  const message =
    isValidation && issues?.length ? describeIssues(issues) : (body?.message ?? response.statusText);
  return Response.json(
    {
      error: {
        code: body?.code ?? "INTERNAL_SERVER_ERROR",
        message,
        requestId,
        issues: issues?.length ? issues : null,
      },
    },
    { status: response.status },
  );
}
