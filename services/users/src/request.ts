import type { AuditActor } from "@opsc/audit";
import type { RequestContext } from "@opsc/server-kit";

export function actorOf(ctx: RequestContext): AuditActor {
  return {
    actorId: ctx.caller?.userId ?? null,
    apiKeyId: ctx.caller?.apiKeyId ?? null,
    sourceIp: ctx.sourceIp,
    requestId: ctx.requestId,
  };
}
