import type { AnyTRPCRouter } from "@trpc/server";
import { generateOpenApiDocument } from "trpc-to-openapi";

type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;

/** Every authenticated REST operation accepts any of these; the gateway forwards all three. */
export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    description: "A session token from sign-in, or a JWT from /api/auth/token",
  },
  apiKey: {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "An API key created under Profile → API keys",
  },
} as const;

export function createServiceOpenApiDocument(
  router: AnyTRPCRouter,
  info: { title: string; version: string },
): OpenApiDocument {
  return generateOpenApiDocument(router, {
    title: info.title,
    version: info.version,
    baseUrl: "/api/v1",
    securitySchemes: { ...SECURITY_SCHEMES },
  });
}

/** Merges per-service documents into the one document served at /api/v1/openapi.json. */
export function mergeOpenApiDocuments(
  documents: OpenApiDocument[],
  info: { title: string; version: string },
): OpenApiDocument {
  const merged: OpenApiDocument = {
    openapi: "3.1.0",
    info: {
      title: info.title,
      version: info.version,
      description:
        "OpsConductor REST API. Every operation is also a typed tRPC procedure (see packages/sdk).",
    },
    servers: [{ url: "/api/v1" }],
    paths: {},
    components: { securitySchemes: { ...SECURITY_SCHEMES }, schemas: {}, responses: {} },
  };
  for (const document of documents) {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (merged.paths![path]) throw new Error(`OpenAPI path ${path} is defined by two services`);
      merged.paths![path] = item;
    }
    Object.assign(merged.components!.schemas!, document.components?.schemas ?? {});
    Object.assign(merged.components!.responses!, document.components?.responses ?? {});
  }
  return merged;
}

/** The rendered API reference at /api/docs (Swagger UI, served from our own process, no CDN). */
export function renderDocsPage(options: { specUrl: string; assetsPath: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpsConductor API</title><link rel="stylesheet" href="${options.assetsPath}/swagger-ui.css"></head>
<body><div id="docs"></div><script src="${options.assetsPath}/swagger-ui-bundle.js"></script>
<script src="${options.assetsPath}/docs-init.js"></script></body></html>`;
}

export function renderDocsInit(specUrl: string): string {
  return `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: "#docs", deepLinking: true, persistAuthorization: false });`;
}

export type { OpenApiDocument };
