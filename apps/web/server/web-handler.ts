import { join } from "node:path";
import { createLogger } from "@opsc/logger";
import { createServiceHttp } from "@opsc/server-kit";
import { Elysia } from "elysia";
import { createRequestHandler, type ServerBuild } from "react-router";
import { DOCS_PATH, handleDocsRequest, SPEC_PATH } from "./api-docs.ts";
import { createOpenApiSource, UpstreamError } from "./openapi-proxy.ts";
import { createStaticFiles } from "./static-files.ts";

export interface WebHandlerOptions {
  /** The folder `react-router build` wrote (holds `client/` and `server/index.js`). */
  buildDir: string;
  apiUrl: string;
  services: string[];
  mode?: "production" | "development";
  openApiCacheMs?: number;
  /** Used for the upstream OpenAPI fetches; tests may pass their own. */
  fetch?: typeof fetch;
  logLevel?: string;
  trustedProxies?: string[];
}

function errorResponse(status: number, code: string, message: string, requestId: string): Response {
  return Response.json({ error: { code, message, requestId } }, { status });
}

/**
 * The web server as an app: health, readiness and metrics like every process, an access log line per request,
 * the API reference, static assets from the client build, and server rendering for everything else.
 */
export async function createWebApp(options: WebHandlerOptions) {
  const handle = await createPageHandler(options);
  const http = createServiceHttp({
    service: "web",
    log: createLogger({ service: "web", level: options.logLevel ?? "info" }),
    trustedProxies: options.trustedProxies ?? ["127.0.0.1", "::1", "::ffff:127.0.0.1"],
  });
  return new Elysia({ name: "web" }).use(http.health()).all(
    "*",
    http.instrument("web", (request, info) => handle(request, info.requestId)),
  );
}

/** The same, as a fetch function (tests bind it to a free port with Bun.serve). */
export async function createWebHandler(
  options: WebHandlerOptions,
): Promise<(request: Request) => Promise<Response>> {
  const app = await createWebApp(options);
  return (request) => app.handle(request);
}

async function createPageHandler(
  options: WebHandlerOptions,
): Promise<(request: Request, requestId: string) => Promise<Response>> {
  const build = (await import(join(options.buildDir, "server", "index.js"))) as ServerBuild;
  const renderPage = createRequestHandler(build, options.mode ?? "production");
  const serveStatic = createStaticFiles(join(options.buildDir, "client"));
  const openApi = createOpenApiSource({
    apiUrl: options.apiUrl,
    services: options.services,
    ...(options.openApiCacheMs !== undefined ? { cacheMs: options.openApiCacheMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  return async function handle(request: Request, requestId: string): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === SPEC_PATH) {
      try {
        return Response.json(await openApi.get(), { headers: { "cache-control": "no-cache" } });
      } catch (error) {
        // 502: the gateway reached us, but we could not reach a service behind it.
        if (error instanceof UpstreamError) {
          return errorResponse(
            502,
            "SERVICE_UNAVAILABLE",
            `The API description of the ${error.service} service is unavailable: ${error.message}`,
            requestId,
          );
        }
        return errorResponse(
          502,
          "SERVICE_UNAVAILABLE",
          `Could not build the API description: ${(error as Error).message}`,
          requestId,
        );
      }
    }
    if (pathname === DOCS_PATH || pathname.startsWith(`${DOCS_PATH}/`)) {
      return handleDocsRequest(pathname) ?? new Response("Not Found", { status: 404 });
    }

    return (await serveStatic(request, pathname)) ?? renderPage(request);
  };
}
