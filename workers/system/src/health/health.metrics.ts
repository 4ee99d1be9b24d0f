import { metricsRegistry } from "@opsc/server-kit/metrics";
import { Counter, Gauge, Histogram } from "prom-client";
import type { Semaphore } from "../semaphore.ts";

/** Probes by target kind, resulting status and error kind (`none` when it answered as expected). */
export const probesTotal = new Counter({
  name: "opsc_health_probes_total",
  help: "Health probes by target kind, resulting status and error kind",
  labelNames: ["kind", "status", "error"] as const,
  registers: [metricsRegistry],
});

export const probeDuration = new Histogram({
  name: "opsc_health_probe_duration_seconds",
  help: "Duration of one health probe, credential opening included",
  labelNames: ["kind", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  registers: [metricsRegistry],
});

export const sweepDuration = new Histogram({
  name: "opsc_health_sweep_duration_seconds",
  help: "Duration of one health sweep: claiming the due targets and enqueueing their batches",
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const sweepClaimedTargets = new Histogram({
  name: "opsc_health_sweep_claimed_targets",
  help: "Targets claimed by one health sweep",
  buckets: [0, 1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
  registers: [metricsRegistry],
});

export const sweepsSkipped = new Counter({
  name: "opsc_health_sweeps_skipped_total",
  help: "Health sweeps that claimed nothing because the batches of earlier sweeps were still waiting",
  registers: [metricsRegistry],
});

const probeSemaphores = new Set<Semaphore>();

/** Probes running and waiting for a slot in this process, against HEALTH_CONCURRENCY. */
export const probesInFlight = new Gauge({
  name: "opsc_health_probes_in_flight",
  help: "Health probes running (state=running) or waiting for a slot (state=waiting) in this process",
  labelNames: ["state"] as const,
  registers: [metricsRegistry],
  collect() {
    let running = 0;
    let waiting = 0;
    for (const semaphore of probeSemaphores) {
      running += semaphore.inUse;
      waiting += semaphore.waiting;
    }
    this.set({ state: "running" }, running);
    this.set({ state: "waiting" }, waiting);
  },
});

/** Reports `semaphore` in {@link probesInFlight}. */
export function trackProbeSemaphore(semaphore: Semaphore): void {
  probeSemaphores.add(semaphore);
}
