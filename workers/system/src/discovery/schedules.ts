import type { Logger } from "@opsc/logger";
import type { DiscoveryClientFactory } from "./discovery-client.ts";

/** Starts the scheduled scans whose slot has come; the service records the next slot, so this may run anywhere. */
export async function startDueScans(
  client: DiscoveryClientFactory,
  log: Logger,
  limit = 20,
): Promise<number> {
  const { started, skipped } = await client(
    `discovery-schedules:${crypto.randomUUID()}`,
  ).schedules.startDue.mutate({
    limit,
  });
  if (started.length > 0 || skipped > 0)
    log.info({ started: started.length, skipped }, "scheduled discovery scans");
  return started.length;
}

/** Fails runs whose worker went silent and enqueues again those no worker started. */
export async function reapStaleRuns(
  client: DiscoveryClientFactory,
  log: Logger,
  settings: { heartbeatTimeoutMs: number; requeueAfterMs: number },
): Promise<void> {
  const result = await client(`discovery-reaper:${crypto.randomUUID()}`).runs.reapStale.mutate(settings);
  if (result.failed > 0 || result.requeued > 0) log.warn(result, "reaped stale discovery runs");
}
