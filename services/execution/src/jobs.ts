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

/**
 * The execution path's other Redis keys, one place. Reports and log chunks go from workers to the service through
 * `reports` (one consumer group, the service); a run's output is also on its own live stream for tailing.
 */
export function executionKeys(prefix: string) {
  const base = `${prefix}:execution`;
  return {
    /** Workers' task reports and log chunks, consumed in batches by the execution service. */
    reports: `${base}:reports`,
    /** A run's live output (entry id = the chunk's offset); trimmed, and expired after the run. */
    liveLog: (runId: string) => `${base}:log:${runId}`,
    /** Pub/sub channel: `run:<id>` or `task:<id>` to cancel. */
    cancelChannel: `${base}:cancel`,
    /** Set while a run is being cancelled or stopped: workers skip its tasks that have not started. */
    runStopped: (runId: string) => `${base}:stopped:run:${runId}`,
    taskStopped: (taskId: string) => `${base}:stopped:task:${taskId}`,
    /** Held by the task running on a target when its run is exclusive. */
    targetLock: (targetId: string) => `${base}:lock:target:${targetId}`,
    /** Present while Redis still holds what the service enqueued; its absence means Redis lost its data. */
    epoch: `${base}:epoch`,
  };
}

/** The consumer group of the execution service on the reports stream. */
export const REPORTS_GROUP = "execution-service";
