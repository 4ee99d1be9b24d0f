import { ZHealthCheckTarget } from "@opsc/contracts/targets/health";
import { defineJob } from "@opsc/streams";
import { z } from "zod";

/** The stream that carries health-check batches: `${prefix}:health:tasks`. */
export const HEALTH_STREAM = "health";

/**
 * A batch of claimed targets to probe. Each target carries what a probe needs (address, HTTP options, pinned
 * host key) and its credential still sealed: it is opened only inside the worker that probes it.
 */
export const ZHealthCheckPayload = z.object({
  /** The sweep that claimed the batch, for logs. */
  sweepId: z.string(),
  targets: z.array(ZHealthCheckTarget).min(1).max(1000),
});
/** What the sweep enqueues. */
export type THealthCheckPayload = z.input<typeof ZHealthCheckPayload>;
/** What the handler receives (HTTP options with their defaults filled in). */
export type THealthCheckBatch = z.output<typeof ZHealthCheckPayload>;

/**
 * How long a batch may go without a heartbeat before another replica reclaims it. The handler heartbeats every
 * third of it while its probes run, so the value only bounds how soon a dead worker's batch is taken over; it
 * must exceed one probe's timeout by a margin for event-loop stalls.
 */
export function visibilityTimeoutFor(probeTimeoutMs: number): number {
  return Math.max(10_000, 3 * probeTimeoutMs);
}

/** `health.check`: probe a batch of targets and record their results in one call. */
export function defineHealthCheckJob(probeTimeoutMs: number) {
  return defineJob({
    name: "health.check",
    stream: HEALTH_STREAM,
    schema: ZHealthCheckPayload,
    visibilityTimeoutMs: visibilityTimeoutFor(probeTimeoutMs),
    maxAttempts: 3,
    // A failed attempt is usually the targets service restarting: give it a moment.
    backoff: { initialDelayMs: 1_000, maxDelayMs: 10_000 },
  });
}

export type HealthCheckJob = ReturnType<typeof defineHealthCheckJob>;
