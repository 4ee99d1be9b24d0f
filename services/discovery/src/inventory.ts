import { callInternal, type InternalCallContext, type RequestContext } from "@opsc/server-kit";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import type { TRPCClient } from "@trpc/client";

/** The targets service's internal router: inventory lookups and imports (audited there as the caller). */
export type InventoryClient = (context: InternalCallContext) => TRPCClient<TargetsInternalRouter>;

/** The caller of this request, passed on to the targets service. */
export function callContextOf(
  ctx: Pick<RequestContext, "requestId" | "sourceIp" | "caller" | "headers">,
): InternalCallContext {
  return { requestId: ctx.requestId, sourceIp: ctx.sourceIp, caller: ctx.caller, headers: ctx.headers };
}

/** Addresses per lookup: a query travels in the URL, so a /16's worth is asked in slices. */
const LOOKUP_CHUNK = 200;

/** The targets at these addresses, by lower-cased address (targets compare addresses case-insensitively). */
export async function findTargetsAt(
  inventory: InventoryClient,
  context: InternalCallContext,
  addresses: string[],
): Promise<Map<string, { id: string; name: string }>> {
  const client = inventory(context);
  const found = new Map<string, { id: string; name: string }>();
  for (let start = 0; start < addresses.length; start += LOOKUP_CHUNK) {
    const { items } = await callInternal(() =>
      client.inventory.byAddresses.query({ addresses: addresses.slice(start, start + LOOKUP_CHUNK) }),
    );
    for (const target of items) {
      const key = target.address.toLowerCase();
      if (!found.has(key)) found.set(key, { id: target.id, name: target.name });
    }
  }
  return found;
}

/** The context of a call no person made (the worker finishing a run). */
export function systemCallContext(requestId: string): InternalCallContext {
  return { requestId, sourceIp: null, caller: null, headers: new Headers() };
}
