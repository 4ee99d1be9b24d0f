export { createAddressMatcher, resolveClientIp } from "./client-ip.ts";
export { type Authenticate, auditActorOf, type RequestContext } from "./context.ts";
export { AppError, HTTP_STATUS, notFound } from "./errors.ts";
export { createServiceHttp, type RequestInfo, type ServiceHttpOptions } from "./http.ts";
export { IdentityCache, type IdentityCacheOptions } from "./identity-cache.ts";
export {
  callInternal,
  createInternalClient,
  fromInternalError,
  INTERNAL_TOKEN_HEADER,
  type InternalCallContext,
  type InternalClient,
  remoteAuthenticate,
} from "./internal-client.ts";
export { httpDuration, metricsRegistry } from "./metrics.ts";
export {
  createServiceOpenApiDocument,
  mergeOpenApiDocuments,
  type OpenApiDocument,
  renderDocsInit,
  renderDocsPage,
} from "./openapi.ts";
export { serveUntilSignal } from "./serve.ts";
export {
  adminProcedure,
  createCallerFactory,
  describeIssues,
  internalProcedure,
  middleware,
  operatorProcedure,
  type ProcedureMeta,
  publicProcedure,
  router,
  sessionProcedure,
  viewerProcedure,
} from "./trpc.ts";
