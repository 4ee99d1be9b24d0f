import { metricsRegistry } from "@opsc/server-kit/metrics";
import { Counter, Gauge, Histogram } from "prom-client";

/** What became of one delivery. `abandoned`: left un-acked at shutdown; `lost`: another consumer had reclaimed it. */
export type DeliveryOutcome = "succeeded" | "retried" | "delayed" | "dead_lettered" | "abandoned" | "lost";

// Module-level: prom-client refuses a second metric of the same name in one registry, and a process may run
// several consumers (one per worker kind, or many in tests).

/** Deliveries by stream, job and outcome. */
export const messagesProcessed = new Counter({
  name: "opsc_stream_messages_processed_total",
  help: "Stream message deliveries by stream, job and outcome",
  labelNames: ["stream", "job", "outcome"] as const,
  registers: [metricsRegistry],
});

/** Handler run time by stream, job and outcome. */
export const handlerDuration = new Histogram({
  name: "opsc_stream_handler_duration_seconds",
  help: "Stream handler duration by stream, job and outcome",
  labelNames: ["stream", "job", "outcome"] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [metricsRegistry],
});

const inFlightSources = new Set<{ group: string; count(): number }>();

/** Handlers running now, by consumer group; read from the consumers at scrape time, not counted per message. */
export const handlersInFlight = new Gauge({
  name: "opsc_stream_handlers_in_flight",
  help: "Stream handlers running now, by consumer group",
  labelNames: ["group"] as const,
  registers: [metricsRegistry],
  collect() {
    const byGroup = new Map<string, number>();
    for (const source of inFlightSources) {
      byGroup.set(source.group, (byGroup.get(source.group) ?? 0) + source.count());
    }
    this.reset();
    for (const [group, count] of byGroup) this.set({ group }, count);
  },
});

/** Reports a consumer's running handlers in {@link handlersInFlight} until the returned function is called. */
export function trackInFlight(group: string, count: () => number): () => void {
  const source = { group, count };
  inFlightSources.add(source);
  return () => inFlightSources.delete(source);
}

/** Messages taken back from consumers that stopped heartbeating or died. */
export const messagesReclaimed = new Counter({
  name: "opsc_stream_messages_reclaimed_total",
  help: "Stream messages reclaimed after their visibility timeout, by stream",
  labelNames: ["stream"] as const,
  registers: [metricsRegistry],
});

// Label children are cached: looking one up by a label object hashes it, on every message otherwise.
const outcomeCounters = new Map<string, ReturnType<typeof messagesProcessed.labels>>();
const durationHistograms = new Map<string, ReturnType<typeof handlerDuration.labels>>();

/** Counts `count` deliveries of `job` on `stream` that ended in `outcome`. */
export function countOutcome(stream: string, job: string, outcome: DeliveryOutcome, count = 1): void {
  const key = `${stream}\u0000${job}\u0000${outcome}`;
  let counter = outcomeCounters.get(key);
  if (!counter) {
    counter = messagesProcessed.labels(stream, job, outcome);
    outcomeCounters.set(key, counter);
  }
  counter.inc(count);
}

/** Records how long a handler ran. */
export function observeDuration(
  stream: string,
  job: string,
  outcome: DeliveryOutcome,
  seconds: number,
): void {
  const key = `${stream}\u0000${job}\u0000${outcome}`;
  let histogram = durationHistograms.get(key);
  if (!histogram) {
    histogram = handlerDuration.labels(stream, job, outcome);
    durationHistograms.set(key, histogram);
  }
  histogram.observe(seconds);
}
