import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestRedis, type TestRedis } from "@opsc/testing";
import { z } from "zod";
import { defineCatalog, defineJob } from "./catalog.ts";
import { InvalidPayloadError } from "./errors.ts";
import { streamKeys } from "./keys.ts";
import { fieldsToRecord } from "./message.ts";
import { createProducer } from "./producer.ts";
import { uniqueStream } from "./test-support.ts";

let testRedis: TestRedis;
beforeAll(async () => {
  testRedis = await createTestRedis();
});
afterAll(() => testRedis.cleanup());

function setup(options: { maxLength?: number | null } = {}) {
  const stream = uniqueStream("producer");
  const send = defineJob({
    name: "mail.send",
    stream,
    schema: z.object({ to: z.string().email(), tries: z.number().int().default(1) }),
    visibilityTimeoutMs: 1_000,
    maxAttempts: 2,
  });
  const retired = defineJob({ ...send, name: "mail.send-v0", deprecated: true });
  const catalog = defineCatalog(send, retired);
  const producer = createProducer({ redis: testRedis.redis, prefix: testRedis.prefix, catalog, ...options });
  return { producer, keys: streamKeys(testRedis.prefix, stream) };
}

async function readAll(key: string) {
  const entries = await testRedis.redis.xrange(key, "-", "+");
  return entries.map(([entryId, flat]): Record<string, string> => ({ ...fieldsToRecord(flat), entryId }));
}

describe("createProducer", () => {
  test("enqueue adds one message with id, name, payload, attempt 1 and enqueuedAt", async () => {
    const { producer, keys } = setup();
    const before = Date.now();
    const { messageId, isDuplicate } = await producer.enqueue("mail.send", { to: "a@example.com" });
    expect(isDuplicate).toBe(false);
    const [entry, ...rest] = await readAll(keys.stream);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ id: messageId, name: "mail.send", attempt: "1" });
    // The input travels, not the output: the consumer applies the default.
    expect(JSON.parse(entry!.payload!)).toEqual({ to: "a@example.com" });
    expect(Number(entry!.enqueuedAt)).toBeGreaterThanOrEqual(before);
  });

  test("an invalid payload is refused before anything is written, naming the field", async () => {
    const { producer, keys } = setup();
    const attempt = producer.enqueue("mail.send", { to: "not-an-address" });
    await expect(attempt).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(attempt).rejects.toThrow(/mail\.send: invalid payload: to:/);
    await expect(producer.enqueueMany("mail.send", [{ to: "a@example.com" }, { to: "x" }])).rejects.toThrow(
      InvalidPayloadError,
    );
    expect(await testRedis.redis.exists(keys.stream)).toBe(0);
  });

  test("a deprecated job takes no new messages", async () => {
    const { producer } = setup();
    // @ts-expect-error deprecated names are not enqueueable at compile time either
    await expect(producer.enqueue("mail.send-v0", { to: "a@example.com" })).rejects.toThrow(/deprecated/);
  });

  test("enqueueMany adds them all in order in one pipeline", async () => {
    const { producer, keys } = setup();
    const payloads = Array.from({ length: 500 }, (_, index) => ({ to: `user${index}@example.com` }));
    const ids = await producer.enqueueMany("mail.send", payloads);
    expect(new Set(ids).size).toBe(500);
    const entries = await readAll(keys.stream);
    expect(entries.map((entry) => entry.id)).toEqual(ids);
    expect(JSON.parse(entries[499]!.payload!)).toEqual({ to: "user499@example.com" });
    expect(await producer.enqueueMany("mail.send", [])).toEqual([]);
  });

  test("an idempotency key makes a repeated enqueue return the first message", async () => {
    const { producer, keys } = setup();
    const first = await producer.enqueue("mail.send", { to: "a@example.com" }, { idempotencyKey: "req-1" });
    const again = await producer.enqueue("mail.send", { to: "b@example.com" }, { idempotencyKey: "req-1" });
    const other = await producer.enqueue("mail.send", { to: "c@example.com" }, { idempotencyKey: "req-2" });
    expect(again).toEqual({ messageId: first.messageId, isDuplicate: true });
    expect(other.isDuplicate).toBe(false);
    expect((await readAll(keys.stream)).map((entry) => entry.id)).toEqual([first.messageId, other.messageId]);
    expect(await testRedis.redis.pttl(keys.idempotency("req-1"))).toBeGreaterThan(60_000);
  });

  test("delayMs parks the message in the delayed set, due on the Redis clock", async () => {
    const { producer, keys } = setup();
    const [seconds, micros] = await testRedis.redis.time();
    const redisNowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await producer.enqueue("mail.send", { to: "a@example.com" }, { delayMs: 60_000 });
    expect(await testRedis.redis.exists(keys.stream)).toBe(0);
    const [member, score] = await testRedis.redis.zrange(keys.delayed, 0, "-1", "WITHSCORES");
    expect(Number(score) - redisNowMs).toBeGreaterThanOrEqual(59_000);
    expect(Number(score) - redisNowMs).toBeLessThanOrEqual(61_000);
    expect(JSON.parse(member!)).toContain("mail.send");
  });

  test("approximate MAXLEN trimming caps the stream; null never trims", async () => {
    const capped = setup({ maxLength: 100 });
    const payloads = Array.from({ length: 1_000 }, (_, index) => ({ to: `u${index}@example.com` }));
    for (let index = 0; index < 10; index++)
      await capped.producer.enqueueMany("mail.send", payloads.slice(index * 100, index * 100 + 100));
    const length = await testRedis.redis.xlen(capped.keys.stream);
    // "~" trims whole radix-tree nodes (100 entries by default), so the length lands near the cap, not on it.
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(1_000);

    const uncapped = setup({ maxLength: null });
    await uncapped.producer.enqueueMany("mail.send", payloads);
    expect(await testRedis.redis.xlen(uncapped.keys.stream)).toBe(1_000);
  });

  test("refuses a connection with a keyPrefix", () => {
    const prefixed = testRedis.redis.duplicate({ keyPrefix: "x:", lazyConnect: true });
    expect(() =>
      createProducer({ redis: prefixed, prefix: testRedis.prefix, catalog: defineCatalog() }),
    ).toThrow(/keyPrefix/);
    prefixed.disconnect();
  });
});
