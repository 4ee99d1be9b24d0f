import type { SystemWorkerModule } from "../module.ts";
import { discoveryScanJob } from "./discovery.jobs.ts";
import { createDiscoveryClient, type FetchLike } from "./discovery-client.ts";
import { createScanHandler } from "./scan.handler.ts";
import { reapStaleRuns, startDueScans } from "./schedules.ts";

/** The discovery module's settings; every field has a default. */
export interface DiscoveryModuleSettings {
  /** How often the leader starts due scheduled scans (default 15 s). */
  scheduleIntervalMs?: number;
  /** How often the leader reaps stale runs (default 60 s). */
  reapIntervalMs?: number;
  /** A running run silent this long lost its worker and retries: failed (default 5 min). */
  heartbeatTimeoutMs?: number;
  /** A queued run not started this long after it was enqueued is enqueued again (default 10 min). */
  requeueAfterMs?: number;
  /** Reports to the service at least this often while scanning (default 2 s). */
  reportIntervalMs?: number;
  /** Hosts per report at most (default 200). */
  reportBatchSize?: number;
  /** The hosts file names come from (default /etc/hosts). */
  hostsFile?: string;
  /** Calls the service through this instead of the network (tests pass the discovery app's `handle`). */
  fetch?: FetchLike;
}

/**
 * Discovery scans: every replica runs `discovery.scan` messages (one per run, TCP connect scan with banners,
 * results reported to the discovery service in batches); the leader starts scheduled scans and reaps runs whose
 * worker died. Calls the discovery service at `serviceUrls.discovery` (DISCOVERY_INTERNAL_URL).
 */
export function createDiscoveryModule(settings: DiscoveryModuleSettings = {}): SystemWorkerModule {
  return {
    name: "discovery",
    jobs: [discoveryScanJob],
    handlers(deps) {
      return {
        [discoveryScanJob.name]: createScanHandler({
          client: createDiscoveryClient(deps, settings.fetch),
          settings: {
            visibilityTimeoutMs: discoveryScanJob.visibilityTimeoutMs,
            reportIntervalMs: settings.reportIntervalMs ?? 2_000,
            reportBatchSize: settings.reportBatchSize ?? 200,
            hostsFile: settings.hostsFile,
          },
        }),
      };
    },
    leaderTasks: [
      {
        name: "discovery.schedules",
        intervalMs: settings.scheduleIntervalMs ?? 15_000,
        async run(deps) {
          await startDueScans(createDiscoveryClient(deps, settings.fetch), deps.log);
        },
      },
      {
        name: "discovery.reaper",
        intervalMs: settings.reapIntervalMs ?? 60_000,
        async run(deps) {
          await reapStaleRuns(createDiscoveryClient(deps, settings.fetch), deps.log, {
            heartbeatTimeoutMs: settings.heartbeatTimeoutMs ?? 5 * 60_000,
            requeueAfterMs: settings.requeueAfterMs ?? 10 * 60_000,
          });
        },
      },
    ],
  };
}

/** The module with its defaults, for `modules.ts`. */
export const discoveryModule: SystemWorkerModule = createDiscoveryModule();
