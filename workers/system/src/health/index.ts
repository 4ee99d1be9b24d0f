import type { SystemWorkerModule } from "../module.ts";
import { Semaphore } from "../semaphore.ts";
import { defineHealthCheckJob } from "./health.jobs.ts";
import { trackProbeSemaphore } from "./health.metrics.ts";
import { createHealthCheckHandler } from "./health-check.handler.ts";
import { claimLeaseFor, sweepDueTargets } from "./health-sweep.ts";
import { createTargetsClient } from "./targets-client.ts";

/** The health module's settings (HEALTH_* in the worker's environment). */
export interface HealthModuleSettings {
  /** How often the leader claims due targets. */
  sweepIntervalMs: number;
  /** Targets per `health.check` message. */
  batchSize: number;
  /** Probes open at once in one worker process, across all its batches. */
  concurrency: number;
  /** One probe's time limit. */
  timeoutMs: number;
  /** An answer at least this slow makes the target `degraded`. */
  degradedLatencyMs: number;
  /** Targets one sweep claims at most (default 5,000, the internal API's limit). */
  claimLimit?: number;
}

/**
 * Periodic target health checks. The leader sweeps: claims due targets from the targets service and enqueues them
 * in batches. Every replica probes batches (SSH handshake and login, HTTP GET) with at most `concurrency` probes
 * open per process, and records each batch's results in one call.
 */
export function createHealthModule(settings: HealthModuleSettings): SystemWorkerModule {
  const job = defineHealthCheckJob(settings.timeoutMs);
  const sweep = {
    batchSize: settings.batchSize,
    claimLimit: Math.min(5_000, settings.claimLimit ?? 5_000),
    claimLeaseMs: claimLeaseFor(job.visibilityTimeoutMs),
  };
  return {
    name: "health",
    jobs: [job],
    handlers(deps) {
      // Built once per process: the semaphore is what bounds the probes of every batch together.
      const semaphore = new Semaphore(settings.concurrency);
      trackProbeSemaphore(semaphore);
      return {
        [job.name]: createHealthCheckHandler({
          deps,
          targets: createTargetsClient(deps),
          semaphore,
          settings: {
            timeoutMs: settings.timeoutMs,
            degradedLatencyMs: settings.degradedLatencyMs,
            visibilityTimeoutMs: job.visibilityTimeoutMs,
          },
        }),
      };
    },
    leaderTasks: [
      {
        name: "health.sweep",
        intervalMs: settings.sweepIntervalMs,
        async run(deps) {
          await sweepDueTargets(deps, createTargetsClient(deps), sweep);
        },
      },
    ],
  };
}
