/**
 * `bun packages/streams/bench/throughput.ts`: end-to-end throughput (enqueue → handled) of @opsc/streams against
 * raw ioredis on the same Redis in the same run, so the ratio, not the absolute numbers, is what carries over to
 * other machines. Each round enqueues BENCH_MESSAGES (default 20,000) no-op messages while a consumer with
 * concurrency BENCH_CONCURRENCY (default 64) drains them; rounds alternate baseline and library, and the medians are
 * compared. Uses TEST_REDIS_URL (default redis://127.0.0.1:6379) under a random prefix, deleted at the end.
 */
import { cpus } from "node:os";
import { createLogger } from "@opsc/logger";
import { createTestRedis } from "@opsc/testing";
import type Redis from "ioredis";
import { z } from "zod";
import { defineCatalog, defineJob } from "../src/catalog.ts";
import { StreamConsumer } from "../src/consumer.ts";
import { createProducer } from "../src/producer.ts";

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const log = createLogger({ service: "streams-bench", level: "warn" });

interface Timing {
  /** Until the producer's last write was confirmed. */
  enqueueMs: number;
  /** Until the last message was handled (and acknowledged, for the baseline). */
  totalMs: number;
}

/** The same shape of message as the library writes, so both sides move the same bytes. */
function payloadFor(index: number) {
  return { taskId: crypto.randomUUID(), index };
}

/** Raw ioredis: one pipelined XADD per message, one reader doing XREADGROUP COUNT n BLOCK + one XACK per batch. */
async function runBaseline(redis: Redis, prefix: string, round: string): Promise<Timing> {
  const stream = `${prefix}:baseline-${round}:tasks`;
  await redis.xgroup("CREATE", stream, "bench", "0", "MKSTREAM");
  const payloads = Array.from({ length: messages }, (_, index) => payloadFor(index));
  const reader = redis.duplicate();
  let handled = 0;
  const drained = (async () => {
    while (handled < messages) {
      const reply = (await reader.xreadgroup(
        "GROUP",
        "bench",
        "c1",
        "COUNT",
        concurrency,
        "BLOCK",
        1_000,
        "STREAMS",
        stream,
        ">",
      )) as [string, [string, string[]][]][] | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      for (const [, fields] of entries) JSON.parse(fields[5] ?? "null"); // read the payload, as a handler would
      await redis.xack(stream, "bench", ...entries.map(([id]) => id));
      handled += entries.length;
    }
  })();
  const startedAt = performance.now();
  const pipeline = redis.pipeline();
  for (const payload of payloads) {
    pipeline.xadd(
      stream,
      "MAXLEN",
      "~",
      "1000000",
      "*",
      "id",
      crypto.randomUUID(),
      "name",
      "bench.noop",
      "payload",
      JSON.stringify(payload),
      "attempt",
      "1",
      "enqueuedAt",
      String(Date.now()),
    );
  }
  await pipeline.exec();
  const enqueueMs = performance.now() - startedAt;
  await drained;
  const totalMs = performance.now() - startedAt;
  reader.disconnect();
  return { enqueueMs, totalMs };
}

/** The library: enqueueMany (validated, pipelined) and a StreamConsumer running a no-op handler. */
async function runLibrary(redis: Redis, prefix: string, round: string): Promise<Timing> {
  const job = defineJob({
    name: "bench.noop",
    stream: `library-${round}`,
    schema: z.object({ taskId: z.string().uuid(), index: z.number().int() }),
    visibilityTimeoutMs: 60_000,
    maxAttempts: 1,
  });
  const catalog = defineCatalog(job);
  const producer = createProducer({ redis, prefix, catalog });
  const payloads = Array.from({ length: messages }, (_, index) => payloadFor(index));
  let handled = 0;
  let resolveDrained!: () => void;
  const drained = new Promise<void>((resolve) => {
    resolveDrained = resolve;
  });
  const consumer = new StreamConsumer({
    redis,
    prefix,
    group: "bench",
    consumer: "c1",
    catalog,
    concurrency,
    log,
    handlers: {
      "bench.noop": async () => {
        if (++handled === messages) resolveDrained();
      },
    },
  });
  await consumer.start();
  const startedAt = performance.now();
  await producer.enqueueMany("bench.noop", payloads);
  const enqueueMs = performance.now() - startedAt;
  await drained;
  // The last acknowledgements are batched: stop() returns once they are written.
  await consumer.stop({ timeoutMs: 10_000 });
  const totalMs = performance.now() - startedAt;
  return { enqueueMs, totalMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perSecond = (ms: number) => Math.round(messages / (ms / 1000));

const testRedis = await createTestRedis();
try {
  const { redis, prefix } = testRedis;
  // Warm-up: JIT, script cache, connections.
  await runBaseline(redis, prefix, "warmup");
  await runLibrary(redis, prefix, "warmup");
  const baseline: Timing[] = [];
  const library: Timing[] = [];
  for (let round = 0; round < rounds; round++) {
    baseline.push(await runBaseline(redis, prefix, String(round)));
    library.push(await runLibrary(redis, prefix, String(round)));
  }
  const baselineMs = median(baseline.map((timing) => timing.totalMs));
  const libraryMs = median(library.map((timing) => timing.totalMs));
  const baselineEnqueueMs = median(baseline.map((timing) => timing.enqueueMs));
  const libraryEnqueueMs = median(library.map((timing) => timing.enqueueMs));
  const ratio = Math.round((libraryMs / baselineMs) * 100) / 100;
  console.log(
    `${messages} no-op messages, concurrency ${concurrency}, median of ${rounds} rounds ` +
      `(${cpus().length} CPUs, bun ${Bun.version})`,
  );
  console.log(
    `baseline (raw XADD pipeline + XREADGROUP/XACK)  ${String(perSecond(baselineMs)).padStart(7)} msg/s  ` +
      `end-to-end ${Math.round(baselineMs)} ms (enqueue ${Math.round(baselineEnqueueMs)} ms)`,
  );
  console.log(
    `@opsc/streams (enqueueMany + StreamConsumer)    ${String(perSecond(libraryMs)).padStart(7)} msg/s  ` +
      `end-to-end ${Math.round(libraryMs)} ms (enqueue ${Math.round(libraryEnqueueMs)} ms)`,
  );
  console.log(`library overhead ×${ratio} (library time / baseline time, same run)`);
} finally {
  await testRedis.cleanup();
}
