import type { DiscoveryInternalRouter } from "@opsc/discovery/internal";
import { createInternalClient } from "@opsc/server-kit";
import type { SystemWorkerDeps } from "../module.ts";

/** How the client reaches the service: the network by default; tests may pass the app's `handle`. */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** The discovery service's internal router, reached with the internal token (never through the gateway). */
export function createDiscoveryClient(
  deps: Pick<SystemWorkerDeps, "serviceUrls" | "internalToken">,
  fetch?: FetchLike,
) {
  const baseUrl = deps.serviceUrls.discovery;
  if (!baseUrl) throw new Error("the discovery module needs serviceUrls.discovery (DISCOVERY_INTERNAL_URL)");
  const connect = createInternalClient<DiscoveryInternalRouter>({
    baseUrl,
    name: "discovery",
    token: deps.internalToken,
    ...(fetch ? { fetch } : {}),
  });
  // The worker acts as the system: no end user, no client address.
  return (requestId: string) => connect({ requestId, sourceIp: null, caller: null, headers: new Headers() });
}

export type DiscoveryClientFactory = ReturnType<typeof createDiscoveryClient>;
export type DiscoveryClient = ReturnType<DiscoveryClientFactory>;
