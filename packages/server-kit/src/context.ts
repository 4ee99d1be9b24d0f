import type { TCaller } from "@opsc/contracts";
import type { Logger } from "@opsc/logger";

/** What every procedure sees. Services pass their dependencies to router factories, not through here. */
export interface RequestContext {
  requestId: string;
  /** The client address: the forwarded one only when the request came through a trusted gateway. */
  sourceIp: string | null;
  caller: TCaller | null;
  log: Logger;
  headers: Headers;
  service: string;
  /** True only on internal routes, after the internal token was checked. */
  isInternal: boolean;
  /** Headers a procedure adds to the HTTP response (a rotated session cookie, say). */
  responseHeaders: Headers;
}

/** Resolves the caller from a request's credentials (cookie, bearer token, API key); null when none are valid. */
export type Authenticate = (
  headers: Headers,
  request: { requestId: string; sourceIp: string | null },
) => Promise<TCaller | null>;

/** Who did it, from where, in which request: the actor half of an audit record. */
export function auditActorOf(ctx: Pick<RequestContext, "caller" | "sourceIp" | "requestId">) {
  return {
    actorId: ctx.caller?.userId ?? null,
    apiKeyId: ctx.caller?.apiKeyId ?? null,
    sourceIp: ctx.sourceIp,
    requestId: ctx.requestId,
  };
}
