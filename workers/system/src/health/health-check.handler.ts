import type { THealthCheckTarget, THealthResult } from "@opsc/contracts/targets/health";
import type { ProbeResult } from "@opsc/probes";
import type { HandlerContext } from "@opsc/streams";
import type { SystemWorkerDeps } from "../module.ts";
import type { Semaphore } from "../semaphore.ts";
import type { THealthCheckBatch } from "./health.jobs.ts";
import { probeDuration, probesTotal } from "./health.metrics.ts";
import { statusOfProbe, toHealthResult } from "./health-status.ts";
import { CredentialUnavailableError, probeTarget } from "./probe-target.ts";
import type { TargetsClientFactory } from "./targets-client.ts";

export interface HealthCheckSettings {
  timeoutMs: number;
  degradedLatencyMs: number;
  visibilityTimeoutMs: number;
}

/** What a health-check handler shares with every other batch of the process. */
export interface HealthCheckContext {
  deps: Pick<SystemWorkerDeps, "vault" | "log">;
  targets: TargetsClientFactory;
  /** One per process: bounds the probes of all batches together. */
  semaphore: Semaphore;
  settings: HealthCheckSettings;
}

/** Probes one target and maps the outcome; never throws for the target's own faults. */
async function checkTarget(context: HealthCheckContext, target: THealthCheckTarget): Promise<THealthResult> {
  const startedAt = performance.now();
  let probe: ProbeResult;
  try {
    probe = await probeTarget(target, { vault: context.deps.vault, timeoutMs: context.settings.timeoutMs });
  } catch (error) {
    if (!(error instanceof CredentialUnavailableError)) throw error;
    // Not the target's health: we could not even try. `unknown` says so, and the error says why.
    context.deps.log.warn(
      { targetId: target.id, credentialId: target.credential?.id, reason: error.message },
      "cannot open the target's credential",
    );
    probesTotal.inc({ kind: target.kind, status: "unknown", error: "credential" });
    return {
      targetId: target.id,
      status: "unknown",
      latencyMs: null,
      error: `credential: ${error.message}`.slice(0, 2000),
      checkedAt: new Date().toISOString(),
      observedHostKey: null,
    };
  }
  const status = statusOfProbe(probe, context.settings.degradedLatencyMs);
  probesTotal.inc({ kind: target.kind, status, error: probe.error?.kind ?? "none" });
  probeDuration.observe({ kind: target.kind, status }, (performance.now() - startedAt) / 1000);
  return toHealthResult(target, probe, {
    degradedLatencyMs: context.settings.degradedLatencyMs,
    checkedAt: new Date(),
  });
}

/**
 * `health.check`: probes every target of the batch (at most `semaphore.limit` probes at once in the whole
 * process), then records all results in one call. Heartbeats while the batch runs; when the message is lost to
 * another replica (heartbeat refused, consumer stopping) it stops taking probe slots and records nothing, since
 * the replica that reclaimed it will.
 */
export function createHealthCheckHandler(context: HealthCheckContext) {
  const heartbeatEveryMs = Math.max(100, Math.floor(context.settings.visibilityTimeoutMs / 3));
  return async (payload: THealthCheckBatch, handler: HandlerContext): Promise<void> => {
    const startedAt = performance.now();
    const heartbeat = setInterval(() => {
      // A refused heartbeat aborts handler.signal, which is what stops the batch.
      handler.heartbeat().catch(() => undefined);
    }, heartbeatEveryMs);
    try {
      const results = await Promise.all(
        payload.targets.map((target) =>
          context.semaphore.run(() => checkTarget(context, target), handler.signal),
        ),
      );
      handler.signal.throwIfAborted();
      const recorded = await context
        .targets(`health-${handler.messageId}-${handler.attempt}`)
        .health.recordResults.mutate({ results });
      handler.log.debug(
        {
          sweepId: payload.sweepId,
          targets: results.length,
          changed: recorded.changed,
          durationMs: Math.round(performance.now() - startedAt),
        },
        "health batch recorded",
      );
    } finally {
      clearInterval(heartbeat);
    }
  };
}
