import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestRedis, type TestRedis } from "@opsc/testing";
import type Redis from "ioredis";
import { leaderKey } from "./keys.ts";
import { LeaderLease } from "./leader.ts";
import { testLog, uniqueStream, waitFor } from "./test-support.ts";

const TTL_MS = 600;

let testRedis: TestRedis;
beforeAll(async () => {
  testRedis = await createTestRedis();
});
afterAll(() => testRedis.cleanup());

function contender(id: string, name: string, events: string[], redis: Redis = testRedis.redis): LeaderLease {
  return new LeaderLease({
    redis,
    prefix: testRedis.prefix,
    name,
    ttlMs: TTL_MS,
    log: testLog,
    onAcquired: () => {
      events.push(`${id} leads`);
    },
    onLost: (reason) => {
      events.push(`${id} lost: ${reason}`);
    },
  });
}

/** Samples both contenders until `until` holds, failing if they ever both claim to lead. */
async function expectNeverBothLead(a: LeaderLease, b: LeaderLease, until: () => boolean): Promise<void> {
  await waitFor(
    "the hand-over",
    () => {
      if (a.isLeader && b.isLeader) throw new Error("two leaders at once");
      return until();
    },
    { intervalMs: 5 },
  );
}

describe("LeaderLease", () => {
  test("only one of two contenders leads; the other takes over when the leader stops", async () => {
    const name = uniqueStream("scheduler");
    const events: string[] = [];
    const a = contender("a", name, events);
    const b = contender("b", name, events);
    try {
      await a.start();
      await b.start();
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      expect(await testRedis.redis.get(leaderKey(testRedis.prefix, name))).toBe(a.token);

      await Bun.sleep(TTL_MS * 2); // renewals keep the lease well past its TTL
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);

      await a.stop(); // releases at once: no waiting for the TTL
      expect(a.isLeader).toBe(false);
      await waitFor("b to lead", () => b.isLeader, { timeoutMs: TTL_MS });
      expect(events).toEqual(["a leads", "a lost: released", "b leads"]);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(await testRedis.redis.exists(leaderKey(testRedis.prefix, name))).toBe(0);
  });

  test("a leader whose connection dies steps down; the other leads once the lease expires", async () => {
    const name = uniqueStream("scheduler");
    const events: string[] = [];
    const doomed = testRedis.redis.duplicate();
    const a = contender("a", name, events, doomed);
    const b = contender("b", name, events);
    try {
      await a.start();
      await b.start();
      expect(a.isLeader).toBe(true);
      doomed.disconnect(); // the renewal fails at once
      await expectNeverBothLead(a, b, () => b.isLeader);
      expect(events).toEqual(["a leads", "a lost: error", "b leads"]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test("a leader whose renewal hangs steps down by the clock before anyone else can lead", async () => {
    const name = uniqueStream("scheduler");
    const events: string[] = [];
    const stuck = testRedis.redis.duplicate();
    const a = contender("a", name, events, stuck);
    const b = contender("b", name, events);
    try {
      await a.start();
      await b.start();
      expect(a.isLeader).toBe(true);
      // A blocking command holds a's connection: its renewals queue behind it and answer too late.
      const blocked = stuck.blpop(`${testRedis.prefix}:nothing`, 1.2);
      await expectNeverBothLead(a, b, () => b.isLeader);
      expect(events).toEqual(["a leads", "a lost: expired", "b leads"]);
      await blocked;
    } finally {
      await a.stop();
      await b.stop();
      stuck.disconnect();
    }
  });

  test("a leader notices at its next renewal that someone else holds the key", async () => {
    const name = uniqueStream("scheduler");
    const events: string[] = [];
    const a = contender("a", name, events);
    try {
      await a.start();
      await testRedis.redis.set(leaderKey(testRedis.prefix, name), "someone-else", "PX", 60_000);
      await waitFor("a to step down", () => !a.isLeader, { timeoutMs: TTL_MS });
      expect(events).toEqual(["a leads", "a lost: taken"]);
    } finally {
      await a.stop();
    }
    // stop() never deletes a key it does not hold.
    expect(await testRedis.redis.get(leaderKey(testRedis.prefix, name))).toBe("someone-else");
  });
});
