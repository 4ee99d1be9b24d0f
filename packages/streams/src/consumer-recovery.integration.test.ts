import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createTestRedis, type TestRedis } from "@opsc/testing";
import { z } from "zod";
import { defineCatalog, defineJob } from "./catalog.ts";
import { listDeadLetters } from "./dead-letter.ts";
import { MessageLostError } from "./errors.ts";
import { streamKeys } from "./keys.ts";
import { createProducer } from "./producer.ts";
import { createConsumerHarness, deferred, uniqueStream, waitFor } from "./test-support.ts";

// Short visibility timeouts keep this file fast; the reclaimers look every 50 ms.
const VISIBILITY_TIMEOUT_MS = 400;
const RECLAIM_INTERVAL_MS = 50;

let testRedis: TestRedis;
let consumers: ReturnType<typeof createConsumerHarness>;
beforeAll(async () => {
  testRedis = await createTestRedis();
  consumers = createConsumerHarness(testRedis);
});
afterEach(() => consumers.stopAll());
afterAll(() => testRedis.cleanup());

function setup(maxAttempts = 3) {
  const stream = uniqueStream("recovery");
  const work = defineJob({
    name: "test.slow",
    stream,
    schema: z.object({ n: z.number() }),
    visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    maxAttempts,
  });
  const catalog = defineCatalog(work);
  const producer = createProducer({ redis: testRedis.redis, prefix: testRedis.prefix, catalog });
  return { stream, catalog, producer, keys: streamKeys(testRedis.prefix, stream) };
}

async function pendingOf(stream: string): Promise<{ consumer: string; deliveries: number }[]> {
  const rows = (await testRedis.redis.xpending(stream, "workers", "-", "+", 100)) as [
    string,
    string,
    number,
    number,
  ][];
  return rows.map(([, consumer, , deliveries]) => ({ consumer, deliveries }));
}

describe("StreamConsumer recovery", () => {
  test("a crashed consumer's message is reclaimed after visibilityTimeoutMs, and the lost attempt counts", async () => {
    const { catalog, producer } = setup();
    const crashedStarted = deferred<number>();
    const crashed = await consumers.start({
      catalog,
      consumer: "crashed",
      reclaimIntervalMs: RECLAIM_INTERVAL_MS,
      handlers: {
        // Never resolves and ignores its signal: from Redis's side, a dead process.
        "test.slow": () => {
          crashedStarted.resolve(Date.now());
          return new Promise<void>(() => {});
        },
      },
    });
    const { messageId } = await producer.enqueue("test.slow", { n: 1 });
    const startedAt = await crashedStarted.promise;
    await crashed.stop({ timeoutMs: 20 }); // abandoned: the entry stays pending, owned by "crashed"

    const rescued: { attempt: number; messageId: string; at: number }[] = [];
    await consumers.start({
      catalog,
      consumer: "rescuer",
      reclaimIntervalMs: RECLAIM_INTERVAL_MS,
      handlers: {
        "test.slow": async (_payload, context) => {
          rescued.push({ attempt: context.attempt, messageId: context.messageId, at: Date.now() });
        },
      },
    });
    await waitFor("the rescue", () => rescued.length === 1);
    expect(rescued[0]).toMatchObject({ attempt: 2, messageId });
    // Not before the timeout (generous bound: the idle time is measured by Redis).
    expect(rescued[0]!.at - startedAt).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_MS - 50);
    await waitFor(
      "nothing pending",
      async () =>
        (await pendingOf(streamKeys(testRedis.prefix, catalog["test.slow"].stream).stream)).length === 0,
    );
  });

  test("a message lost by more consumers than maxAttempts allows is dead-lettered, not run", async () => {
    const { stream, catalog, producer } = setup(1);
    const started = deferred();
    const crashed = await consumers.start({
      catalog,
      consumer: "crashed",
      handlers: {
        "test.slow": () => {
          started.resolve();
          return new Promise<void>(() => {});
        },
      },
    });
    await producer.enqueue("test.slow", { n: 1 });
    await started.promise;
    await crashed.stop({ timeoutMs: 20 });
    let ran = 0;
    await consumers.start({
      catalog,
      reclaimIntervalMs: RECLAIM_INTERVAL_MS,
      handlers: {
        "test.slow": async () => {
          ran++;
        },
      },
    });
    const [dead] = await waitFor("a dead letter", async () => {
      const letters = await listDeadLetters({ redis: testRedis.redis, prefix: testRedis.prefix, stream });
      return letters.length > 0 ? letters : null;
    });
    expect(ran).toBe(0);
    expect(dead!.reason).toBe("max_attempts");
    expect(dead!.error).toMatch(/lost 1 time\(s\)/);
  });

  test("heartbeat() keeps a long-running message from being reclaimed", async () => {
    const { catalog, producer, keys } = setup();
    const runs: string[] = [];
    let finished = false;
    const handlers = (name: string) => ({
      "test.slow": async (_payload: { n: number }, context: { heartbeat(): Promise<void> }) => {
        runs.push(name);
        // Runs 2.5 × the visibility timeout, heartbeating every 100 ms.
        for (let step = 0; step < 10; step++) {
          await Bun.sleep(100);
          await context.heartbeat();
        }
        finished = true;
      },
    });
    await consumers.start({
      catalog,
      consumer: "worker",
      reclaimIntervalMs: RECLAIM_INTERVAL_MS,
      handlers: handlers("worker"),
    });
    await producer.enqueue("test.slow", { n: 1 });
    await waitFor("the first run", () => runs.length === 1);
    await consumers.start({
      catalog,
      consumer: "peer",
      reclaimIntervalMs: RECLAIM_INTERVAL_MS,
      handlers: handlers("peer"),
    });
    await waitFor("the run to finish", () => finished, { timeoutMs: 5_000 });
    await waitFor("acknowledged", async () => (await pendingOf(keys.stream)).length === 0);
    expect(runs).toEqual(["worker"]);
  });

  test("a reclaimed message's old owner learns it from heartbeat() and does not settle it", async () => {
    const { catalog, producer, keys } = setup();
    const slowOutcome = deferred<{ error: unknown; aborted: boolean }>();
    await consumers.start({
      catalog,
      consumer: "slow",
      handlers: {
        // No heartbeat for longer than the visibility timeout, then one (too late), then a failure.
        "test.slow": async (_payload, context) => {
          await Bun.sleep(VISIBILITY_TIMEOUT_MS * 2);
          const error = await context.heartbeat().catch((caught: unknown) => caught);
          slowOutcome.resolve({ error, aborted: context.signal.aborted });
          throw new Error("gave up");
        },
      },
    });
    await producer.enqueue("test.slow", { n: 1 });
    await waitFor("the slow consumer to take it", async () => (await pendingOf(keys.stream)).length === 1);
    const rescuedAttempts: number[] = [];
    await consumers.start({
      catalog,
      consumer: "rescuer",
      reclaimIntervalMs: RECLAIM_INTERVAL_MS,
      handlers: {
        "test.slow": async (_payload, context) => {
          rescuedAttempts.push(context.attempt);
        },
      },
    });
    const { error, aborted } = await slowOutcome.promise;
    expect(error).toBeInstanceOf(MessageLostError);
    expect(aborted).toBe(true);
    await Bun.sleep(200); // time for a wrong retry to show up
    expect(rescuedAttempts).toEqual([2]);
    expect(await testRedis.redis.xlen(keys.stream)).toBe(0);
    expect(await testRedis.redis.zcard(keys.delayed)).toBe(0);
    expect(await testRedis.redis.xlen(keys.deadLetter)).toBe(0);
  });

  test("stop() waits for running handlers that finish within the timeout", async () => {
    const { catalog, producer, keys } = setup();
    const started = deferred();
    let finished = false;
    const consumer = await consumers.start({
      catalog,
      handlers: {
        "test.slow": async () => {
          started.resolve();
          await Bun.sleep(300);
          finished = true;
        },
      },
    });
    await producer.enqueue("test.slow", { n: 1 });
    await started.promise;
    await consumer.stop({ timeoutMs: 5_000 });
    expect(finished).toBe(true);
    expect(await pendingOf(keys.stream)).toEqual([]);
    expect(await testRedis.redis.xlen(keys.stream)).toBe(0);
  });

  test("stop() aborts what does not finish in time and leaves it, un-acked, to another consumer", async () => {
    const { catalog, producer, keys } = setup();
    const started = deferred();
    let sawAbort = false;
    const leaving = await consumers.start({
      catalog,
      consumer: "leaving",
      handlers: {
        "test.slow": (_payload, context) =>
          new Promise<void>((_resolve, reject) => {
            started.resolve();
            context.signal.addEventListener("abort", () => {
              sawAbort = true;
              reject(context.signal.reason);
            });
          }),
      },
    });
    await producer.enqueue("test.slow", { n: 1 });
    await started.promise;
    const stopStartedAt = Date.now();
    await leaving.stop({ timeoutMs: 200 });
    expect(Date.now() - stopStartedAt).toBeLessThan(2_000);
    expect(sawAbort).toBe(true);
    expect(await pendingOf(keys.stream)).toEqual([{ consumer: "leaving", deliveries: 1 }]);

    // A stopped consumer reads nothing more; the one still running gets both.
    await producer.enqueue("test.slow", { n: 2 });
    const handled: { n: number; attempt: number }[] = [];
    await consumers.start({
      catalog,
      consumer: "staying",
      reclaimIntervalMs: RECLAIM_INTERVAL_MS,
      handlers: {
        "test.slow": async ({ n }, context) => {
          handled.push({ n, attempt: context.attempt });
        },
      },
    });
    await waitFor("both handled", () => handled.length === 2);
    expect(handled.sort((a, b) => a.n - b.n)).toEqual([
      { n: 1, attempt: 2 },
      { n: 2, attempt: 1 },
    ]);
  });

  test("stop() interrupts a blocked read at once", async () => {
    const { catalog } = setup();
    const consumer = await consumers.start({
      catalog,
      blockMs: 30_000,
      handlers: { "test.slow": async () => {} },
    });
    await Bun.sleep(50); // let it block
    const startedAt = Date.now();
    await consumer.stop();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });
});
