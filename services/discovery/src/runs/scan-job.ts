import { ZDiscoveryScanJobPayload } from "@opsc/contracts/discovery/internal";
import { defineCatalog, defineJob } from "@opsc/streams";

/**
 * One message per run. The service produces it; the system worker's discovery module consumes it, so both
 * import this one definition. A scan heartbeats well within the visibility timeout while it runs.
 */
export const discoveryScanJob = defineJob({
  name: "discovery.scan",
  stream: "discovery",
  schema: ZDiscoveryScanJobPayload,
  visibilityTimeoutMs: 60_000,
  maxAttempts: 3,
  backoff: { initialDelayMs: 5_000, maxDelayMs: 60_000 },
});

export const discoveryJobs = defineCatalog(discoveryScanJob);
export type DiscoveryJobCatalog = typeof discoveryJobs;
