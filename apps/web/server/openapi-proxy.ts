import { mergeOpenApiDocuments, type OpenApiDocument } from "@opsc/server-kit/openapi";

export interface OpenApiSourceOptions {
  /** Gateway base URL; each service serves its own document at /api/v1/<service>/openapi.json. */
  apiUrl: string;
  services: string[];
  /** How long a merged document is reused; services only change their API on deploy. */
  cacheMs?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class UpstreamError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/**
 * The merged OpenAPI document, fetched from every service and cached. A failure is not cached, so the next
 * request tries again as soon as the service is back.
 */
export function createOpenApiSource(options: OpenApiSourceOptions) {
  const cacheMs = options.cacheMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const fetchImpl = options.fetch ?? fetch;
  const base = options.apiUrl.replace(/\/+$/, "");
  let cached: { document: OpenApiDocument; expiresAt: number } | undefined;
  // Concurrent requests after expiry share one round of upstream fetches.
  let inFlight: Promise<OpenApiDocument> | undefined;

  async function fetchDocument(service: string): Promise<OpenApiDocument> {
    const url = `${base}/api/v1/${service}/openapi.json`;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: "application/json" },
      });
    } catch (error) {
      throw new UpstreamError(service, `${url} is unreachable: ${(error as Error).message}`);
    }
    if (!response.ok) throw new UpstreamError(service, `${url} answered ${response.status}`);
    try {
      return (await response.json()) as OpenApiDocument;
    } catch {
      throw new UpstreamError(service, `${url} did not return JSON`);
    }
  }

  async function load(): Promise<OpenApiDocument> {
    const documents = await Promise.all(options.services.map(fetchDocument));
    const document = mergeOpenApiDocuments(documents, { title: "OpsConductor API", version: "1.0.0" });
    cached = { document, expiresAt: Date.now() + cacheMs };
    return document;
  }

  return {
    async get(): Promise<OpenApiDocument> {
      if (cached && cached.expiresAt > Date.now()) return cached.document;
      inFlight ??= load().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
