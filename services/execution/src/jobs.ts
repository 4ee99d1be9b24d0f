import { ZTaskMessage } from "@opsc/contracts/execution/messages";
import { defineJob, type JobCatalog } from "@opsc/streams";

/** How long a worker may hold a task without heartbeating before another worker reclaims it. */
export const TASK_LEASE_MS = 30_000;

/**
 * The task job of one worker group, on its own stream (`execution.<group>`), so that a worker reads only the
 * groups it declares. The service produces it; workers/execution consumes it; both build it here.
 * `maxAttempts` counts deliveries: a task reclaimed from a dead worker is delivered again, and the worker then
 * applies the run's policy (it fails the task as `worker_lost` rather than running a command twice).
 */
export function taskJob(group: string, leaseMs = TASK_LEASE_MS) {
  return defineJob({
    name: `execution.task.${group}`,
    stream: `execution.${group}`,
    schema: ZTaskMessage,
    visibilityTimeoutMs: leaseMs,
    maxAttempts: 3,
  });
}

export type TaskJob = ReturnType<typeof taskJob>;

/** The catalog of the given groups' task jobs; the lease matters to consumers only (when they reclaim). */
export function taskCatalog(groups: readonly string[], leaseMs = TASK_LEASE_MS): JobCatalog {
  const catalog: JobCatalog = {};
  for (const group of groups) {
    const job = taskJob(group, leaseMs);
    catalog[job.name] = job;
  }
  return catalog;
}

export { EXECUTION_WORKER_GROUP, executionKeys, REPORTS_GROUP } from "@opsc/streams";
