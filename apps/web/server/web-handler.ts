import { join } from "node:path";
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
}

function errorResponse(status: number, code: string, message: string): Response {
  const requestId = crypto.randomUUID();
  return Response.json(
    { error: { code, message, requestId } },
    { status, headers: { "x-request-id": requestId } },
  );
}

/**
 * The web server's whole request handling, without listening: health, the API reference, static assets from
 * the client build, and server rendering for everything else. server.ts binds it to a port; tests start it on
 * a free one.
 */
export async function createWebHandler(
  options: WebHandlerOptions,
): Promise<(request: Request) => Promise<Response>> {
  const build = (await import(join(options.buildDir, "server", "index.js"))) as ServerBuild;
  const renderPage = createRequestHandler(build, options.mode ?? "production");
  const serveStatic = createStaticFiles(join(options.buildDir, "client"));
  const openApi = createOpenApiSource({
    apiUrl: options.apiUrl,
    services: options.services,
    ...(options.openApiCacheMs !== undefined ? { cacheMs: options.openApiCacheMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  return async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz" || pathname === "/readyz")
      return Response.json({ status: "ok", service: "web" });

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
          );
        }
        return errorResponse(
          502,
          "SERVICE_UNAVAILABLE",
          `Could not build the API description: ${(error as Error).message}`,
        );
      }
    }
    if (pathname === DOCS_PATH || pathname.startsWith(`${DOCS_PATH}/`)) {
      return handleDocsRequest(pathname) ?? new Response("Not Found", { status: 404 });
    }

    return (await serveStatic(request, pathname)) ?? renderPage(request);
  };
}
