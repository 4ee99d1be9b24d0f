/**
 * `discovery.scan` (stream `discovery`): one message per run. The discovery service produces it and owns its
 * definition, so the producer and this consumer cannot drift apart.
 */
export { discoveryScanJob } from "@opsc/discovery/runs/scan-job";
