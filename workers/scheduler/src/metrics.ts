import { metricsRegistry } from "@opsc/server-kit/metrics";
import { Counter, Gauge, Histogram } from "prom-client";

/**
 * Fire calls by what they recorded: a fire outcome (`started`, `queued`, `skipped-blackout`, ...), `already-fired`
 * (another scheduler got there first), `none` (the slot was no longer pending) or `error` (the call failed).
 */
export const firesTotal = new Counter({
  name: "opsc_scheduler_fires_total",
  help: "Schedule slots this scheduler fired, by outcome",
  labelNames: ["outcome"] as const,
  registers: [metricsRegistry],
});

/** 1 while this replica holds the lease and fires due slots. */
export const isLeaderGauge = new Gauge({
  name: "opsc_scheduler_is_leader",
  help: "1 while this scheduler replica holds the leader lease and fires due schedules",
  registers: [metricsRegistry],
});

/** How late a slot was fired: now − the slot's instant (a held slot counts from its instant too). */
export const fireLag = new Histogram({
  name: "opsc_scheduler_fire_lag_seconds",
  help: "Delay between a schedule slot's instant and the moment the scheduler fired it",
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
  registers: [metricsRegistry],
});

export const ticksTotal = new Counter({
  name: "opsc_scheduler_ticks_total",
  help: "Scheduler leader ticks (one due query and its fires), by outcome",
  labelNames: ["outcome"] as const,
  registers: [metricsRegistry],
});
