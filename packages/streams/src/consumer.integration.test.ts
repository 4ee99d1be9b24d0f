import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { metricsRegistry } from "@opsc/server-kit/metrics";
import { createTestRedis, type TestRedis } from "@opsc/testing";
import { z } from "zod";
import { defineCatalog, defineJob } from "./catalog.ts";
import { StreamConsumer } from "./consumer.ts";
import { listDeadLetters } from "./dead-letter.ts";
import { DelayedError, NonRetryableError, RetryAfterError } from "./errors.ts";
import type { HandlerContext } from "./handler-context.ts";
import { streamKeys } from "./keys.ts";
import { messagesProcessed } from "./metrics.ts";
import { createProducer } from "./producer.ts";
import { queueDepth, trackQueueDepth } from "./queue-depth.ts";
import { createConsumerHarness, deferred, testLog, uniqueStream, waitFor } from "./test-support.ts";

let testRedis: TestRedis;
let consumers: ReturnType<typeof createConsumerHarness>;
beforeAll(async () => {
  testRedis = await createTestRedis();
  consumers = createConsumerHarness(testRedis);
});
afterEach(() => consumers.stopAll());
afterAll(() => testRedis.cleanup());

/** A stream of its own with one job, `test.work`, and a producer for it. */
function setup(job: { maxAttempts?: number; visibilityTimeoutMs?: number } = {}) {
  const stream = uniqueStream("consumer");
  const work = defineJob({
    name: "test.work",
    stream,
    schema: z.object({ n: z.number().int(), label: z.string().default("none") }),
    visibilityTimeoutMs: job.visibilityTimeoutMs ?? 5_000,
    maxAttempts: job.maxAttempts ?? 3,
  });
  const catalog = defineCatalog(work);
  const producer = createProducer({ redis: testRedis.redis, prefix: testRedis.prefix, catalog });
  return { stream, catalog, producer, keys: streamKeys(testRedis.prefix, stream) };
}

const consumerBase = () => ({
  redis: testRedis.redis,
  prefix: testRedis.prefix,
  group: "workers",
  log: testLog,
});

type Seen = { n: number; label: string; context: HandlerContext };

describe("StreamConsumer", () => {
  test("runs each message once, acknowledges it and deletes it from the stream", async () => {
    const { catalog, producer, keys } = setup();
    const seen: Seen[] = [];
    await consumers.start({
      catalog,
      handlers: {
        "test.work": async (payload, context) => {
          seen.push({ ...payload, context });
        },
      },
    });
    const ids = await producer.enqueueMany("test.work", [{ n: 1 }, { n: 2, label: "two" }, { n: 3 }]);
    await waitFor("3 handled", () => seen.length === 3);
    expect(seen.map((item) => item.n).sort()).toEqual([1, 2, 3]);
    expect(seen.find((item) => item.n === 2)?.label).toBe("two");
    expect(seen.find((item) => item.n === 1)?.label).toBe("none"); // the schema's default, applied by the consumer
    expect(seen.map((item) => item.context.messageId).sort()).toEqual([...ids].sort());
    expect(seen.every((item) => item.context.attempt === 1 && item.context.maxAttempts === 3)).toBe(true);
    await waitFor("acknowledged and deleted", async () => (await testRedis.redis.xlen(keys.stream)) === 0);
    const [pending] = (await testRedis.redis.xpending(keys.stream, "workers")) as [number];
    expect(pending).toBe(0);
  });

  test("never runs or holds more than `concurrency` messages at once", async () => {
    const { catalog, producer, keys } = setup();
    let running = 0;
    let maxRunning = 0;
    let maxHeld = 0;
    let done = 0;
    const consumer: StreamConsumer<typeof catalog> = await consumers.start({
      catalog,
      concurrency: 3,
      consumer: "limited",
      handlers: {
        "test.work": async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          // Held = delivered to this consumer and not yet acknowledged, as Redis sees it.
          const held = (await testRedis.redis.xpending(
            keys.stream,
            "workers",
            "-",
            "+",
            100,
            "limited",
          )) as unknown[];
          maxHeld = Math.max(maxHeld, held.length);
          await Bun.sleep(15);
          running--;
          done++;
        },
      },
    });
    await producer.enqueueMany(
      "test.work",
      Array.from({ length: 30 }, (_, n) => ({ n })),
    );
    await waitFor("30 handled", () => done === 30);
    expect(maxRunning).toBe(3);
    expect(maxHeld).toBeLessThanOrEqual(3);
    expect(consumer.inFlightCount).toBe(0);
  });

  test("retries a failing message up to maxAttempts, then dead-letters it with the last error", async () => {
    const { stream, catalog, producer, keys } = setup({ maxAttempts: 3 });
    const attempts: { attempt: number; messageId: string }[] = [];
    await consumers.start({
      catalog,
      handlers: {
        "test.work": async (_payload, context) => {
          attempts.push({ attempt: context.attempt, messageId: context.messageId });
          throw new Error(`boom on attempt ${context.attempt}`);
        },
      },
    });
    const { messageId } = await producer.enqueue("test.work", { n: 7 });
    const [dead] = await waitFor("a dead letter", async () => {
      const letters = await listDeadLetters({ redis: testRedis.redis, prefix: testRedis.prefix, stream });
      return letters.length > 0 ? letters : null;
    });
    expect(attempts).toEqual([1, 2, 3].map((attempt) => ({ attempt, messageId })));
    expect(dead!.reason).toBe("max_attempts");
    expect(dead!.error).toBe("boom on attempt 3");
    expect(dead!.fields).toMatchObject({ id: messageId, name: "test.work", attempt: "3" });
    expect(JSON.parse(dead!.fields.payload!)).toEqual({ n: 7 });
    expect(await testRedis.redis.xlen(keys.stream)).toBe(0);
  });

  test("RetryAfterError waits at least its delay before the next attempt", async () => {
    const { catalog, producer, keys } = setup();
    const calls: { attempt: number; at: number }[] = [];
    await consumers.start({
      catalog,
      delayedPollIntervalMs: 50,
      handlers: {
        "test.work": async (_payload, context) => {
          calls.push({ attempt: context.attempt, at: Date.now() });
          if (context.attempt === 1) throw new RetryAfterError(700, "rate limited");
        },
      },
    });
    await producer.enqueue("test.work", { n: 1 });
    await waitFor("the first attempt", () => calls.length === 1);
    await waitFor(
      "the retry parked in the delayed set",
      async () => (await testRedis.redis.zcard(keys.delayed)) === 1,
    );
    await waitFor("the second attempt", () => calls.length === 2, { timeoutMs: 10_000 });
    expect(calls.map((call) => call.attempt)).toEqual([1, 2]);
    // Generous lower bound (the delay runs on the Redis clock, measured here in whole milliseconds).
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(650);
  });

  test("DelayedError runs the message again later with the same attempt number", async () => {
    const { catalog, producer } = setup({ maxAttempts: 1 });
    const attempts: number[] = [];
    await consumers.start({
      catalog,
      delayedPollIntervalMs: 50,
      handlers: {
        "test.work": async (_payload, context) => {
          attempts.push(context.attempt);
          if (attempts.length < 3) throw new DelayedError(100, "target busy");
        },
      },
    });
    await producer.enqueue("test.work", { n: 1 });
    await waitFor("three runs", () => attempts.length === 3);
    // maxAttempts is 1, yet it ran three times: waiting one's turn is not a failure.
    expect(attempts).toEqual([1, 1, 1]);
  });

  test("NonRetryableError goes straight to the dead letters", async () => {
    const { stream, catalog, producer } = setup({ maxAttempts: 5 });
    let calls = 0;
    await consumers.start({
      catalog,
      handlers: {
        "test.work": async () => {
          calls++;
          throw new NonRetryableError("target deleted");
        },
      },
    });
    await producer.enqueue("test.work", { n: 1 });
    const [dead] = await waitFor("a dead letter", async () => {
      const letters = await listDeadLetters({ redis: testRedis.redis, prefix: testRedis.prefix, stream });
      return letters.length > 0 ? letters : null;
    });
    expect(calls).toBe(1);
    expect(dead).toMatchObject({ reason: "non_retryable", error: "NonRetryableError: target deleted" });
  });

  test("invalid payloads, malformed entries and unknown jobs are dead-lettered and the loop goes on", async () => {
    const { stream, catalog, producer, keys } = setup();
    const handled: number[] = [];
    await consumers.start({
      catalog,
      handlers: {
        "test.work": async ({ n }) => {
          handled.push(n);
        },
      },
    });
    const base = ["attempt", "1", "enqueuedAt", String(Date.now())];
    const redis = testRedis.redis;
    await redis.xadd(keys.stream, "*", "id", "m1", "name", "test.work", "payload", '{"n":"x"}', ...base);
    await redis.xadd(keys.stream, "*", "id", "m2", "name", "test.work", "payload", "{not json", ...base);
    await redis.xadd(keys.stream, "*", "id", "m3", "name", "test.gone", "payload", "{}", ...base);
    await redis.xadd(keys.stream, "*", "hello", "world");
    await producer.enqueue("test.work", { n: 42 });
    await waitFor("the valid message", () => handled.length === 1);
    const letters = await waitFor("four dead letters", async () => {
      const found = await listDeadLetters({ redis, prefix: testRedis.prefix, stream });
      return found.length === 4 ? found : null;
    });
    expect(handled).toEqual([42]);
    expect(letters.map((letter) => letter.reason).sort()).toEqual([
      "invalid_payload",
      "invalid_payload",
      "malformed_message",
      "unknown_job",
    ]);
    expect(letters.find((letter) => letter.fields.id === "m1")?.error).toMatch(/^n: /);
    expect(letters.find((letter) => letter.fields.id === "m2")?.error).toBe("payload is not valid JSON");
    expect(letters.find((letter) => letter.fields.hello === "world")?.reason).toBe("malformed_message");
  });

  test("two consumers in one group share the work without running any message twice", async () => {
    const { catalog, producer } = setup();
    const byConsumer = { a: [] as string[], b: [] as string[] };
    for (const name of ["a", "b"] as const) {
      await consumers.start({
        catalog,
        consumer: name,
        concurrency: 4,
        handlers: {
          "test.work": async (_payload, context) => {
            byConsumer[name].push(context.messageId);
            await Bun.sleep(2);
          },
        },
      });
    }
    const ids = await producer.enqueueMany(
      "test.work",
      Array.from({ length: 200 }, (_, n) => ({ n })),
    );
    await waitFor("200 handled", () => byConsumer.a.length + byConsumer.b.length >= 200);
    await Bun.sleep(100); // a duplicate, if any, would show up now
    const all = [...byConsumer.a, ...byConsumer.b];
    expect(all.length).toBe(200);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(byConsumer.a.length).toBeGreaterThan(0);
    expect(byConsumer.b.length).toBeGreaterThan(0);
  });

  test("one consumer serves every stream of its catalog, also when fewer slots are free than streams", async () => {
    const streams = [uniqueStream("multi"), uniqueStream("multi"), uniqueStream("multi")];
    const jobs = streams.map((stream, index) =>
      defineJob({
        name: `test.multi-${index}`,
        stream,
        schema: z.object({ n: z.number() }),
        visibilityTimeoutMs: 5_000,
        maxAttempts: 1,
      }),
    );
    const catalog = defineCatalog(...jobs);
    const producer = createProducer({ redis: testRedis.redis, prefix: testRedis.prefix, catalog });
    const handled: string[] = [];
    const handler = async ({ n }: { n: number }) => {
      await Bun.sleep(n % 3); // uneven, so reads often find one or two slots free
      handled.push(`${n}`);
    };
    expect(
      () => new StreamConsumer({ ...consumerBase(), catalog, concurrency: 2, handlers: {} as never }),
    ).toThrow(/at least the number of streams/);
    await consumers.start({
      catalog,
      concurrency: 3,
      handlers: Object.fromEntries(jobs.map((job) => [job.name, handler])),
    });
    for (let index = 0; index < 3; index++) {
      await producer.enqueueMany(
        `test.multi-${index}`,
        Array.from({ length: 5 }, (_, n) => ({ n: index * 10 + n })),
      );
    }
    await waitFor("15 handled", () => handled.length === 15);
    expect(handled.map(Number).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24,
    ]);
  });

  test("a job's backoff spaces out retries after ordinary errors", async () => {
    const stream = uniqueStream("backoff");
    const job = defineJob({
      name: "test.backoff",
      stream,
      schema: z.object({}),
      visibilityTimeoutMs: 5_000,
      maxAttempts: 2,
      backoff: { initialDelayMs: 400, maxDelayMs: 10_000 },
    });
    const catalog = defineCatalog(job);
    const producer = createProducer({ redis: testRedis.redis, prefix: testRedis.prefix, catalog });
    const at: number[] = [];
    await consumers.start({
      catalog,
      delayedPollIntervalMs: 50,
      handlers: {
        "test.backoff": async () => {
          at.push(Date.now());
          if (at.length === 1) throw new Error("flaky");
        },
      },
    });
    await producer.enqueue("test.backoff", {});
    await waitFor("the retry", () => at.length === 2);
    // 400 ms ± 20 % jitter, with a generous lower bound.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(300);
  });

  test("queueDepth reports waiting, pending, delayed and dead-lettered; outcomes are counted", async () => {
    const { stream, catalog, producer } = setup({ maxAttempts: 1 });
    const release = deferred();
    let started = 0;
    await consumers.start({
      catalog,
      concurrency: 1,
      handlers: {
        "test.work": async ({ n }) => {
          started++;
          if (n === 0) throw new Error("fails for good");
          await release.promise;
        },
      },
    });
    await producer.enqueue("test.work", { n: 0 });
    await waitFor("the failure", () => started === 1);
    await producer.enqueueMany("test.work", [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await producer.enqueue("test.work", { n: 4 }, { delayMs: 60_000 });
    await waitFor("the second message running", () => started === 2);
    const target = { redis: testRedis.redis, prefix: testRedis.prefix, stream, group: "workers" };
    expect(await queueDepth(target)).toEqual({ waiting: 2, pending: 1, delayed: 1, deadLettered: 1 });
    const untrack = trackQueueDepth(target);
    try {
      const depthText = await metricsRegistry.getSingleMetricAsString("opsc_stream_queue_depth");
      expect(depthText).toContain(
        `opsc_stream_queue_depth{stream="${stream}",group="workers",state="waiting"} 2`,
      );
      expect(depthText).toContain(
        `opsc_stream_queue_depth{stream="${stream}",group="workers",state="pending"} 1`,
      );
      const inFlightText = await metricsRegistry.getSingleMetricAsString("opsc_stream_handlers_in_flight");
      expect(inFlightText).toContain(`opsc_stream_handlers_in_flight{group="workers"} 1`);
    } finally {
      untrack();
    }
    release.resolve();
    await waitFor("all but the delayed one handled", () => started === 4);
    await waitFor("an empty stream", async () => (await queueDepth(target)).pending === 0);
    expect(await queueDepth(target)).toEqual({ waiting: 0, pending: 0, delayed: 1, deadLettered: 1 });

    const counts = Object.fromEntries(
      (await messagesProcessed.get()).values
        .filter((value) => value.labels.stream === stream)
        .map((value) => [value.labels.outcome, value.value]),
    );
    expect(counts).toEqual({ dead_lettered: 1, succeeded: 3 });
  });
});
