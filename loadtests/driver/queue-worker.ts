/**
 * The consumer process of the `queue` suite (queue-suite.ts): `bun queue-worker.ts bullmq|streams`, started once per
 * measured library and driven over IPC, so that the consumer never shares an event loop with the producer. For each
 * round the suite sends `start` (a fresh key prefix), the process starts a BullMQ Worker or a StreamConsumer with a
 * no-op handler, answers `ready`, reports `handled` when every task of the round ran once, and on `stop` closes the
 * consumer gracefully and answers with its exact counts (and enqueue-to-start latency percentiles when asked).
 * Both libraries run the same handler; it records the task's index and when it started.
 */
import { createLogger } from "@opsc/logger";
import { defineCatalog, defineJob, StreamConsumer } from "@opsc/streams";
import { Worker } from "bullmq";
import Redis from "ioredis";
import { z } from "zod";
import { percentile } from "./measure.ts";

export type Library = "bullmq" | "streams";

/** The BullMQ queue name and our stream name. */
export const QUEUE = "bench";
export const CONCURRENCY = 50;
/** Our consumer group (BullMQ has none to name). */
export const GROUP = "bench-worker";

/** What every task carries, with both libraries: its index in the round and when it was enqueued. */
export interface TaskData {
  index: number;
  /** Epoch milliseconds with sub-millisecond precision ({@link epochNow}), taken just before the enqueue call. */
  sentAt: number;
}

export const noopJob = defineJob({
  name: "bench.noop",
  stream: QUEUE,
  schema: z.object({ index: z.number().int().nonnegative(), sentAt: z.number() }),
  visibilityTimeoutMs: 60_000,
  maxAttempts: 1,
});
export const catalog = defineCatalog(noopJob);

/** The same clock in every process on the machine: the wall clock at process start plus the monotonic clock. */
export const epochNow = () => performance.timeOrigin + performance.now();

export type ToWorker =
  | { type: "start"; prefix: string; tasks: number; latency: boolean }
  | { type: "stop" }
  | { type: "exit" };

export interface LatencyStats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type FromWorker =
  | { type: "ready" }
  | { type: "handled" }
  | { type: "stopped"; handled: number; distinct: number; latency: LatencyStats | null }
  | { type: "failed"; message: string };

/** BullMQ's connection options for a `redis://` URL (it creates its own ioredis connections from them). */
export function bullmqConnection(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    db: Number(parsed.pathname.slice(1) || 0),
  };
}

/** One round's tally: each index should run exactly once. */
class Tally {
  handled = 0;
  distinct = 0;
  private readonly seen: Uint8Array;
  private readonly latencies: Float64Array | null;

  constructor(
    private readonly tasks: number,
    latency: boolean,
    private readonly onAllHandled: () => void,
  ) {
    this.seen = new Uint8Array(tasks);
    this.latencies = latency ? new Float64Array(tasks) : null;
  }

  record({ index, sentAt }: TaskData): void {
    const startedAt = epochNow();
    this.handled++;
    if (index >= this.tasks || this.seen[index] === 1) return;
    this.seen[index] = 1;
    if (this.latencies) this.latencies[this.distinct] = startedAt - sentAt;
    if (++this.distinct === this.tasks) this.onAllHandled();
  }

  latency(): LatencyStats | null {
    if (!this.latencies) return null;
    const sorted = this.latencies.subarray(0, this.distinct).sort();
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      p50Ms: round(percentile(sorted, 0.5)),
      p99Ms: round(percentile(sorted, 0.99)),
      maxMs: round(sorted.at(-1) ?? Number.NaN),
    };
  }
}

/** Starts a consumer of `library` for one round; resolves once it is consuming, to a function that stops it. */
async function startConsumer(
  library: Library,
  url: string,
  prefix: string,
  tally: Tally,
): Promise<() => Promise<void>> {
  if (library === "bullmq") {
    const worker = new Worker<TaskData>(QUEUE, async (job) => tally.record(job.data), {
      connection: bullmqConnection(url),
      prefix,
      concurrency: CONCURRENCY,
    });
    worker.on("error", (error) => console.error("BullMQ worker error:", error));
    await worker.waitUntilReady();
    return () => worker.close();
  }
  const redis = new Redis(url);
  const consumer = new StreamConsumer({
    redis,
    prefix,
    catalog,
    group: GROUP,
    concurrency: CONCURRENCY,
    log: createLogger({ service: "queue-bench-worker", level: "warn" }),
    handlers: { "bench.noop": async (data) => tally.record(data) },
  });
  await consumer.start();
  return async () => {
    await consumer.stop({ timeoutMs: 10_000 });
    await redis.quit();
  };
}

if (import.meta.main) {
  const library = process.argv[2] as Library;
  if (library !== "bullmq" && library !== "streams") throw new Error(`usage: queue-worker.ts bullmq|streams`);
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is required (the queue suite passes it)");
  const send = (message: FromWorker) => process.send?.(message);
  let round: { tally: Tally; stop: () => Promise<void> } | null = null;

  process.on("message", async (message: ToWorker) => {
    try {
      if (message.type === "start") {
        if (round) throw new Error("a round is running already");
        const tally = new Tally(message.tasks, message.latency, () => send({ type: "handled" }));
        round = { tally, stop: await startConsumer(library, url, message.prefix, tally) };
        // Let the consumer reach its idle state (blocked on its read) before the producer starts.
        await Bun.sleep(100);
        send({ type: "ready" });
      } else if (message.type === "stop") {
        const current = round;
        if (!current) throw new Error("no round is running");
        round = null;
        await current.stop();
        const { handled, distinct } = current.tally;
        send({ type: "stopped", handled, distinct, latency: current.tally.latency() });
      } else {
        // Exits through process.exit so that `--cpu-prof` writes its profile.
        process.exit(0);
      }
    } catch (error) {
      send({ type: "failed", message: String((error as Error)?.stack ?? error) });
    }
  });
  process.on("disconnect", () => process.exit(0));
}
