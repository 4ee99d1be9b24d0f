import type { InternalCallContext, RequestContext } from "@opsc/server-kit";

/** The caller of this request, passed on to the targets and execution services. */
export function callContextOf(
  ctx: Pick<RequestContext, "requestId" | "sourceIp" | "caller" | "headers">,
): InternalCallContext {
  return { requestId: ctx.requestId, sourceIp: ctx.sourceIp, caller: ctx.caller, headers: ctx.headers };
}
