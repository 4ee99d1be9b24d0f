import type { ExecutionInternalRouter } from "@opsc/execution/internal";
import { createInternalClient } from "@opsc/server-kit";
import type { SystemWorkerDeps } from "../module.ts";

/** How the client reaches the service: the network by default; tests may pass the app's `handle`. */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** The execution service's internal router, reached with the internal token (never through the gateway). */
export function createExecutionClient(
  deps: Pick<SystemWorkerDeps, "serviceUrls" | "internalToken">,
  fetch?: FetchLike,
) {
  const baseUrl = deps.serviceUrls.execution;
  if (!baseUrl)
    throw new Error("the maintenance module needs serviceUrls.execution (EXECUTION_INTERNAL_URL)");
  const connect = createInternalClient<ExecutionInternalRouter>({
    baseUrl,
    name: "execution",
    token: deps.internalToken,
    ...(fetch ? { fetch } : {}),
  });
  // The worker acts as the system: no end user, no client address.
  return () =>
    connect({ requestId: crypto.randomUUID(), sourceIp: null, caller: null, headers: new Headers() });
}

export type ExecutionClientFactory = ReturnType<typeof createExecutionClient>;
