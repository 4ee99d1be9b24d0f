import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestRedis, type TestRedis } from "@opsc/testing";
import type Redis from "ioredis";
import { classifyStream, type StreamTrimPolicy, trimStreams } from "./stream-trim.ts";

let testRedis: TestRedis;
let redis: Redis;
let prefix: string;
const HOUR_MS = 3_600_000;
/** Everything older than now goes, unless a group still needs it. */
const TRIM_ALL: StreamTrimPolicy = { retentionMs: 0, deadLetterRetentionMs: 0, liveLogRetentionMs: HOUR_MS };

beforeAll(async () => {
  testRedis = await createTestRedis();
  redis = testRedis.redis;
  prefix = testRedis.prefix;
});
afterAll(async () => {
  await testRedis.cleanup();
});

/** Adds entries with ids `<ms>-0` for each ms (old ids: far in the past on the Redis clock). */
async function addEntries(key: string, ms: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const value of ms) ids.push((await redis.xadd(key, `${value}-0`, "n", String(value)))!);
  return ids;
}

const idsOf = async (key: string) =>
  ((await redis.xrange(key, "-", "+")) as [string, string[]][]).map(([id]) => id);

async function readGroup(key: string, group: string, count: number): Promise<string[]> {
  const reply = (await redis.xreadgroup("GROUP", group, "consumer", "COUNT", count, "STREAMS", key, ">")) as
    | [string, [string, string[]][]][]
    | null;
  return (reply?.[0]?.[1] ?? []).map(([id]) => id);
}

describe("trimStreams", () => {
  test("a stream with a consumer group where some entries are pending is trimmed only up to the first pending entry", async () => {
    const key = `${prefix}:pending:tasks`;
    const ids = await addEntries(key, [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    await redis.xgroup("CREATE", key, "workers", "0");
    expect(await readGroup(key, "workers", 6)).toEqual(ids.slice(0, 6));
    // 1003 and 1005 stay pending; 1006-1009 were never delivered.
    await redis.xack(key, "workers", ids[0]!, ids[1]!, ids[2]!, ids[4]!);

    const first = await trimStreams(redis, prefix, TRIM_ALL);
    expect(first.trimmed.queue).toBe(3);
    expect(await idsOf(key)).toEqual(ids.slice(3));

    // Once the pending ones are acknowledged, everything delivered goes; what was never delivered stays.
    await redis.xack(key, "workers", ids[3]!, ids[5]!);
    expect((await trimStreams(redis, prefix, TRIM_ALL)).trimmed.queue).toBe(3);
    expect(await idsOf(key)).toEqual(ids.slice(6));

    expect(await readGroup(key, "workers", 10)).toEqual(ids.slice(6));
    await redis.xack(key, "workers", ...ids.slice(6));
    expect((await trimStreams(redis, prefix, TRIM_ALL)).trimmed.queue).toBe(4);
    expect(await redis.xlen(key)).toBe(0);
  });

  test("with two groups the one furthest behind decides; a queue without a group is never trimmed", async () => {
    const key = `${prefix}:two-groups:tasks`;
    const ids = await addEntries(key, [2000, 2001, 2002, 2003, 2004]);
    await redis.xgroup("CREATE", key, "fast", "0");
    await redis.xgroup("CREATE", key, "slow", "0");
    await readGroup(key, "fast", 5);
    await redis.xack(key, "fast", ...ids);
    // The slow group had two delivered and acknowledged, and nothing pending.
    await readGroup(key, "slow", 2);
    await redis.xack(key, "slow", ids[0]!, ids[1]!);
    await trimStreams(redis, prefix, TRIM_ALL);
    expect(await idsOf(key)).toEqual(ids.slice(2));

    const orphan = `${prefix}:no-group:tasks`;
    await addEntries(orphan, [1, 2, 3]);
    await trimStreams(redis, prefix, TRIM_ALL);
    expect(await redis.xlen(orphan)).toBe(3);
  });

  test("entries younger than the retention stay even when every group acknowledged them", async () => {
    const key = `${prefix}:recent:tasks`;
    await redis.xgroup("CREATE", key, "workers", "$", "MKSTREAM");
    for (let index = 0; index < 5; index++) await redis.xadd(key, "*", "n", String(index));
    const delivered = await readGroup(key, "workers", 5);
    await redis.xack(key, "workers", ...delivered);
    await trimStreams(redis, prefix, { ...TRIM_ALL, retentionMs: HOUR_MS });
    expect(await redis.xlen(key)).toBe(5);
    await trimStreams(redis, prefix, TRIM_ALL);
    expect(await redis.xlen(key)).toBe(0);
  });

  test("the events stream and dead letters are trimmed by age; a group on the events stream holds its entries", async () => {
    const events = `${prefix}:events`;
    const dead = `${prefix}:health:dead`;
    await addEntries(events, [10, 11, 12]);
    await redis.xadd(events, "*", "type", "recent");
    await addEntries(dead, [20, 21]);
    await redis.xadd(dead, "*", "reason", "recent");
    const result = await trimStreams(redis, prefix, {
      retentionMs: HOUR_MS,
      deadLetterRetentionMs: HOUR_MS,
      liveLogRetentionMs: HOUR_MS,
    });
    expect(result.trimmed).toMatchObject({ events: 3, dead_letters: 2 });
    expect(await redis.xlen(events)).toBe(1);
    expect(await redis.xlen(dead)).toBe(1);

    // A consumer group on the events stream (a service following events) that is behind keeps what it has not read.
    const followed = `${prefix}:events`;
    await redis.del(followed);
    const ids = await addEntries(followed, [30, 31, 32]);
    await redis.xgroup("CREATE", followed, "follower", "0");
    await readGroup(followed, "follower", 1);
    await redis.xack(followed, "follower", ids[0]!);
    await trimStreams(redis, prefix, TRIM_ALL);
    expect(await idsOf(followed)).toEqual(ids.slice(1));
  });

  test("a run's live log stream long after its last chunk is deleted; a recent one stays", async () => {
    const stale = `${prefix}:execution:log:${crypto.randomUUID()}`;
    const live = `${prefix}:execution:log:${crypto.randomUUID()}`;
    await addEntries(stale, [5, 6]);
    await redis.xadd(live, "*", "d", "still running");
    const result = await trimStreams(redis, prefix, TRIM_ALL);
    expect(result.liveLogsDeleted).toBe(1);
    expect(await redis.exists(stale)).toBe(0);
    expect(await redis.xlen(live)).toBe(1);
  });

  test("a long acknowledged backlog goes in steps of whole nodes, then exactly", async () => {
    const key = `${prefix}:backlog:tasks`;
    const pipeline = redis.pipeline();
    for (let index = 1; index <= 25_000; index++) pipeline.xadd(key, `${index}-0`, "n", "x");
    await pipeline.exec();
    await redis.xgroup("CREATE", key, "workers", "$");
    // Delivered up to the end before the group existed ("$"), nothing pending: all of it may go.
    const result = await trimStreams(redis, prefix, TRIM_ALL);
    expect(result.trimmed.queue).toBe(25_000);
    expect(await redis.xlen(key)).toBe(0);
  });

  test("streams are classified by their keys", () => {
    expect(classifyStream("p", "p:events")).toBe("events");
    expect(classifyStream("p", "p:execution:log:123")).toBe("live_log");
    expect(classifyStream("p", "p:health:dead")).toBe("dead_letters");
    expect(classifyStream("p", "p:execution.default:tasks")).toBe("queue");
    expect(classifyStream("p", "p:execution:reports")).toBe("queue");
  });
});
