import { createInternalClient } from "@opsc/server-kit";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import type { SystemWorkerDeps } from "../module.ts";

/** The targets service's internal router, reached with the internal token (never through the gateway). */
export function createTargetsClient(deps: Pick<SystemWorkerDeps, "serviceUrls" | "internalToken">) {
  const baseUrl = deps.serviceUrls.targets;
  if (!baseUrl) throw new Error("the health module needs serviceUrls.targets (TARGETS_INTERNAL_URL)");
  const connect = createInternalClient<TargetsInternalRouter>({
    baseUrl,
    name: "targets",
    token: deps.internalToken,
  });
  // The worker acts as the system: no end user, no client address.
  return (requestId: string) => connect({ requestId, sourceIp: null, caller: null, headers: new Headers() });
}

export type TargetsClientFactory = ReturnType<typeof createTargetsClient>;
