import { metricsRegistry } from "@opsc/server-kit/metrics";
import type Redis from "ioredis";
import { Gauge } from "prom-client";
import { streamKeys } from "./keys.ts";

/** Where the messages of one task stream are. */
export interface QueueDepth {
  /** In the stream, not yet delivered to the group. */
  waiting: number;
  /** Delivered to a consumer and not yet acknowledged (running, or held by a consumer that died). */
  pending: number;
  /** In the delayed set (retries after a delay, delayed enqueues). */
  delayed: number;
  /** In the dead-letter stream. */
  deadLettered: number;
}

/** Which stream and group {@link queueDepth} measures. */
export interface QueueDepthTarget {
  redis: Redis;
  prefix: string;
  stream: string;
  group: string;
}

/**
 * Counts a stream's messages in one round trip: XLEN + XPENDING summary + ZCARD + XLEN of the dead letters.
 * Consumers delete entries when they acknowledge them, so `XLEN − pending` is what waits. It can overstate by the
 * few entries acknowledged by a consumer that died before deleting them, and a group that does not exist yet counts
 * nothing as pending.
 */
export async function queueDepth(target: QueueDepthTarget): Promise<QueueDepth> {
  const keys = streamKeys(target.prefix, target.stream);
  const results =
    (await target.redis
      .pipeline()
      .xlen(keys.stream)
      .xpending(keys.stream, target.group)
      .zcard(keys.delayed)
      .xlen(keys.deadLetter)
      .exec()) ?? [];
  const number = (index: number) => {
    const [error, value] = results[index] ?? [null, 0];
    return error ? 0 : Number(value);
  };
  const [pendingError, summary] = results[1] ?? [null, null];
  // NOGROUP before the first consumer started: nothing is pending yet.
  const pending = !pendingError && Array.isArray(summary) ? Number(summary[0] ?? 0) : 0;
  return {
    waiting: Math.max(0, number(0) - pending),
    pending,
    delayed: number(2),
    deadLettered: number(3),
  };
}

const tracked = new Set<QueueDepthTarget>();

/** `opsc_stream_queue_depth{stream, group, state}`, measured at scrape time for every tracked stream. */
export const queueDepthGauge = new Gauge({
  name: "opsc_stream_queue_depth",
  help: "Messages of a task stream by state (waiting, pending, delayed, dead_lettered), measured at scrape time",
  labelNames: ["stream", "group", "state"] as const,
  registers: [metricsRegistry],
  async collect() {
    await Promise.all(
      [...tracked].map(async (target) => {
        const depth = await queueDepth(target).catch(() => null);
        if (!depth) return; // Redis down: keep the last values rather than fail the whole scrape.
        const labels = { stream: target.stream, group: target.group };
        this.set({ ...labels, state: "waiting" }, depth.waiting);
        this.set({ ...labels, state: "pending" }, depth.pending);
        this.set({ ...labels, state: "delayed" }, depth.delayed);
        this.set({ ...labels, state: "dead_lettered" }, depth.deadLettered);
      }),
    );
  },
});

/**
 * Reports `target`'s depth on `/metrics` (the `opsc_stream_queue_depth` gauge) until the returned function is
 * called. One process per deployment should track a stream (the system worker, say); every consumer would report
 * the same numbers.
 */
export function trackQueueDepth(target: QueueDepthTarget): () => void {
  tracked.add(target);
  return () => {
    tracked.delete(target);
    queueDepthGauge.remove({ stream: target.stream, group: target.group, state: "waiting" });
    queueDepthGauge.remove({ stream: target.stream, group: target.group, state: "pending" });
    queueDepthGauge.remove({ stream: target.stream, group: target.group, state: "delayed" });
    queueDepthGauge.remove({ stream: target.stream, group: target.group, state: "dead_lettered" });
  };
}
