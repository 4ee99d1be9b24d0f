import { queueDepth } from "@opsc/streams";
import type { SystemWorkerDeps } from "../module.ts";
import { SYSTEM_GROUP } from "../worker.ts";
import { HEALTH_STREAM, type THealthCheckPayload } from "./health.jobs.ts";
import { sweepClaimedTargets, sweepDuration, sweepsSkipped } from "./health.metrics.ts";
import type { TargetsClientFactory } from "./targets-client.ts";

export interface HealthSweepSettings {
  batchSize: number;
  /** Targets claimed per sweep at most (the internal API accepts up to 5,000). */
  claimLimit: number;
  /** How long claimed targets stay reserved for this sweep's batches (see {@link claimLeaseFor}). */
  claimLeaseMs: number;
}

/**
 * The claim lease: while it runs the targets service hands the targets to no other sweep, so it must cover a
 * batch's wait in the stream, its run, and one reclaim after a worker died (a visibility timeout). When it runs
 * out without a result (the batch was dead-lettered), the next sweep claims the targets again.
 */
export function claimLeaseFor(visibilityTimeoutMs: number): number {
  return Math.min(3_600_000, Math.max(60_000, 4 * visibilityTimeoutMs));
}

/** The sweep's outcome, for tests and logs. */
export interface SweepOutcome {
  claimed: number;
  batches: number;
  skipped: boolean;
}

/**
 * One sweep (leader only): claims the targets whose check is due and enqueues them as `health.check` batches in
 * one pipelined round trip; every replica's consumer then takes batches from the stream. Skips claiming while
 * the batches of earlier sweeps still wait, so a backlog never outlives its claim leases and gets checked twice.
 */
export async function sweepDueTargets(
  deps: Pick<SystemWorkerDeps, "redis" | "redisPrefix" | "producer" | "log">,
  targets: TargetsClientFactory,
  settings: HealthSweepSettings,
): Promise<SweepOutcome> {
  const stopTimer = sweepDuration.startTimer();
  const maxWaitingBatches = Math.ceil(settings.claimLimit / settings.batchSize);
  const depth = await queueDepth({
    redis: deps.redis,
    prefix: deps.redisPrefix,
    stream: HEALTH_STREAM,
    group: SYSTEM_GROUP,
  });
  if (depth.waiting + depth.delayed >= maxWaitingBatches) {
    sweepsSkipped.inc();
    deps.log.warn(
      { waiting: depth.waiting, delayed: depth.delayed },
      "health sweep skipped: earlier batches still wait (add system worker replicas or raise HEALTH_CONCURRENCY)",
    );
    stopTimer();
    return { claimed: 0, batches: 0, skipped: true };
  }
  const sweepId = crypto.randomUUID();
  const { items } = await targets(`health-sweep-${sweepId}`).health.claimDue.mutate({
    limit: settings.claimLimit,
    leaseMs: settings.claimLeaseMs,
  });
  // No abort check from here on: these targets are claimed, so enqueueing them is the only way they get checked
  // before their lease runs out, whoever leads next.
  const batches: THealthCheckPayload[] = [];
  for (let start = 0; start < items.length; start += settings.batchSize) {
    batches.push({ sweepId, targets: items.slice(start, start + settings.batchSize) });
  }
  if (batches.length > 0) await deps.producer.enqueueMany("health.check", batches);
  sweepClaimedTargets.observe(items.length);
  stopTimer();
  if (items.length > 0) {
    deps.log.info({ sweepId, claimed: items.length, batches: batches.length }, "health sweep enqueued");
  }
  return { claimed: items.length, batches: batches.length, skipped: false };
}
