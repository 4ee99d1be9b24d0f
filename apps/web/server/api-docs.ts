import { dirname, join } from "node:path";
import { renderDocsInit, renderDocsPage } from "@opsc/server-kit/openapi";

export const DOCS_PATH = "/api/docs";
export const DOCS_ASSETS_PATH = "/api/docs/assets";
export const SPEC_PATH = "/api/v1/openapi.json";

// Only the files the page loads; nothing else from the package directory is reachable.
const SWAGGER_FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const swaggerDir = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));
const docsPage = renderDocsPage({ specUrl: SPEC_PATH, assetsPath: DOCS_ASSETS_PATH });
const docsInit = renderDocsInit(SPEC_PATH);

/** The Swagger UI page at /api/docs and its assets, served from our own process (no CDN). */
export function handleDocsRequest(pathname: string): Response | null {
  if (pathname === DOCS_PATH || pathname === `${DOCS_PATH}/`) {
    return new Response(docsPage, {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" },
    });
  }
  if (!pathname.startsWith(`${DOCS_ASSETS_PATH}/`)) return null;
  const name = pathname.slice(DOCS_ASSETS_PATH.length + 1);
  if (name === "docs-init.js") {
    return new Response(docsInit, {
      headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
    });
  }
  const type = SWAGGER_FILES[name];
  if (!type) return new Response("Not Found", { status: 404 });
  return new Response(Bun.file(join(swaggerDir, name)), {
    // Not content-hashed names: cache for a day, revalidate after an upgrade.
    headers: { "content-type": type, "cache-control": "public, max-age=86400" },
  });
}
