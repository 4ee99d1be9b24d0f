import type { JobsInternalRouter } from "@opsc/jobs/internal";
import { createInternalClient } from "@opsc/server-kit";

/** How the client reaches the service: the network by default; tests may pass the app's `handle`. */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** The jobs service's internal router, reached with the internal token (never through the gateway). */
export function createJobsClient(options: { baseUrl: string; internalToken: string; fetch?: FetchLike }) {
  const connect = createInternalClient<JobsInternalRouter>({
    baseUrl: options.baseUrl,
    name: "jobs",
    token: options.internalToken,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // The scheduler acts as the system: no end user, no client address.
  return (requestId: string) => connect({ requestId, sourceIp: null, caller: null, headers: new Headers() });
}

export type JobsClientFactory = ReturnType<typeof createJobsClient>;
