import type { SystemWorkerModule } from "../module.ts";
import { createExecutionClient, type FetchLike } from "./execution-client.ts";
import { entriesTrimmed, liveLogsDeleted } from "./maintenance.metrics.ts";
import { pruneLogsPass, pruneRunsPass } from "./retention.ts";
import { DEFAULT_STREAM_TRIM_POLICY, type StreamTrimPolicy, trimStreams } from "./stream-trim.ts";

/** The maintenance module's settings (MAINTENANCE_* and *_RETENTION_MS in the worker's environment). */
export interface MaintenanceModuleSettings {
  /** How often the leader prunes and trims (default 1 h); each runs once as soon as a replica leads. */
  intervalMs: number;
  /** Runs per retention call (default 50). */
  batchSize?: number;
  streams?: StreamTrimPolicy;
  /** Calls the execution service through this instead of the network (tests pass the app's `handle`). */
  fetch?: FetchLike;
}

/**
 * Maintenance, leader-only: retention of runs and logs through the execution service's internal `maintenance`
 * procedures (old logs move to the object store; old runs are archived as JSON there and deleted; the policy is the
 * service's LOG_RETENTION_DAYS and RUN_RETENTION_DAYS), and trimming of the Redis streams to what a consumer group or
 * the policy still needs. Stuck runs are reaped by the execution service's reconciler. Calls EXECUTION_INTERNAL_URL.
 */
export function createMaintenanceModule(settings: MaintenanceModuleSettings): SystemWorkerModule {
  const batchSize = settings.batchSize ?? 50;
  const policy = settings.streams ?? DEFAULT_STREAM_TRIM_POLICY;
  return {
    name: "maintenance",
    jobs: [],
    handlers: () => ({}),
    leaderTasks: [
      {
        // One after the other: runs past their retention go whole, without their logs being moved first, and a
        // run's log is never moved while the run is being deleted.
        name: "maintenance.retention",
        intervalMs: settings.intervalMs,
        async run(deps, signal) {
          const pass = {
            execution: createExecutionClient(deps, settings.fetch),
            log: deps.log,
            signal,
            batchSize,
          };
          await pruneRunsPass(pass);
          await pruneLogsPass(pass);
        },
      },
      {
        name: "maintenance.streams",
        intervalMs: settings.intervalMs,
        async run(deps, signal) {
          const result = await trimStreams(deps.redis, deps.redisPrefix, policy, signal);
          for (const [kind, count] of Object.entries(result.trimmed)) entriesTrimmed.inc({ kind }, count);
          liveLogsDeleted.inc(result.liveLogsDeleted);
          const trimmed = Object.values(result.trimmed).reduce((sum, count) => sum + count, 0);
          if (trimmed > 0 || result.liveLogsDeleted > 0)
            deps.log.info({ ...result }, "trimmed Redis streams");
        },
      },
    ],
  };
}
