import { createLogger } from "@opsc/logger";
import { randomSuffix, type TestRedis } from "@opsc/testing";
import type { JobCatalog } from "./catalog.ts";
import { StreamConsumer } from "./consumer.ts";
import type { StopOptions, StreamConsumerOptions } from "./consumer-options.ts";

/** A logger for tests: silent unless STREAMS_TEST_LOG_LEVEL says otherwise. */
export const testLog = createLogger({
  service: "streams-test",
  level: process.env.STREAMS_TEST_LOG_LEVEL ?? "silent",
});

/** A stream name of its own per test, so tests in one file never see each other's messages. */
export function uniqueStream(label: string): string {
  return `${label}-${randomSuffix(4)}`;
}

/** Polls `condition` until it holds (returns its value) or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(intervalMs);
  }
}

/** A promise with its resolve function, for handlers that wait on the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** Starts consumers on the test prefix and stops them all in `stopAll()` (call it in afterEach). */
export function createConsumerHarness(testRedis: TestRedis) {
  const started: { stop(options?: StopOptions): Promise<void> }[] = [];
  return {
    async start<Catalog extends JobCatalog>(
      options: Omit<StreamConsumerOptions<Catalog>, "redis" | "prefix" | "log" | "group"> & {
        group?: string;
      },
    ): Promise<StreamConsumer<Catalog>> {
      const consumer = new StreamConsumer({
        redis: testRedis.redis,
        prefix: testRedis.prefix,
        group: "workers",
        log: testLog,
        blockMs: 1_000,
        ...options,
      });
      started.push(consumer);
      await consumer.start();
      return consumer;
    },
    async stopAll(): Promise<void> {
      await Promise.all(started.splice(0).map((consumer) => consumer.stop({ timeoutMs: 100 })));
    },
  };
}
