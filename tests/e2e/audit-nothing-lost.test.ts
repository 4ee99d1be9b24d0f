/**
 * Nothing lost: the audit service is stopped while mutations go on and their records are relayed to Redis; Redis
 * then restarts empty (a private redis-server without persistence, killed for real), so the stream the relays had
 * published to is gone. The relays see the events stream's epoch gone and publish the recent records again; the audit
 * service, started again, stores every mutation's record exactly once and the chain verifies.
 * @see docs/decisions/0018-audit-trail.md
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditConsumer } from "@opsc/audit-service/records/consumer";
import { verifyChain } from "@opsc/audit-service/records/verify.service";
import { getFreePort, startRedisServer } from "@opsc/testing";
import type { Subprocess } from "bun";
import type { Kysely } from "kysely";
import { startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let redis: Subprocess;
let port: number;
let consumer: AuditConsumer | null = null;
const dir = mkdtempSync(join(tmpdir(), "opsc-audit-redis-"));
const previousRedisUrl = process.env.TEST_REDIS_URL;

const startRedis = () => startRedisServer({ port, dir });

/** Every audit record id in every service's outbox: one per mutation. */
async function outboxEventIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const db of [
    system.authDb,
    system.usersDb,
    system.targetsDb,
    system.jobsDb,
    system.executionDb,
    system.discoveryDb,
  ]) {
    const rows = await (db as unknown as Kysely<{ audit_outbox: { event_id: string } }>)
      .selectFrom("audit_outbox")
      .select("event_id")
      .execute();
    ids.push(...rows.map((row) => row.event_id));
  }
  return ids;
}

async function storedEventIds(): Promise<string[]> {
  return (await system.auditDb.selectFrom("records").select("event_id").execute()).map((row) => row.event_id);
}

/** Retries a call while the services reconnect to Redis (authentication caches live there). */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await Bun.sleep(200);
    }
  }
}

async function drainRelays(): Promise<void> {
  for (const relay of system.relays) await retrying(() => relay.drain());
}

beforeAll(async () => {
  port = await getFreePort();
  redis = await startRedis();
  process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
  system = await startSystem();
}, 60_000);

afterAll(async () => {
  await consumer?.stop();
  await system?.stop().catch(() => undefined);
  redis?.kill("SIGKILL");
  if (previousRedisUrl === undefined) delete process.env.TEST_REDIS_URL;
  else process.env.TEST_REDIS_URL = previousRedisUrl;
  rmSync(dir, { recursive: true, force: true });
});

test("every mutation has exactly one audit record after Redis restarts empty while the audit service is down", async () => {
  const admin = system.admin.client;
  // Some records are stored before anything goes wrong: republishing them must not store them twice.
  await admin.targets.create.mutate({ name: "before", address: "127.0.0.1", port: 9, kind: "http" });
  await drainRelays();
  const deadline = Date.now() + 20_000;
  while ((await storedEventIds()).length < (await outboxEventIds()).length) {
    if (Date.now() > deadline) throw new Error("the audit service did not catch up");
    await Bun.sleep(50);
  }

  await system.auditConsumer.stop();
  for (let index = 0; index < 10; index++)
    await admin.targets.create.mutate({
      name: `while-down-${index}`,
      address: "127.0.0.1",
      port: 9,
      kind: "http",
    });
  // Published to the stream, which nobody reads now.
  await drainRelays();

  redis.kill("SIGKILL");
  await redis.exited;
  redis = await startRedis();

  for (let index = 0; index < 5; index++)
    await retrying(() =>
      admin.targets.create.mutate({
        name: `after-restart-${index}`,
        address: "127.0.0.1",
        port: 9,
        kind: "http",
      }),
    );

  consumer = new AuditConsumer({
    ...system.auditDeps,
    redis: system.redis.redis,
    redisPrefix: system.redis.prefix,
  });
  await retrying(() => consumer!.start());
  await drainRelays();

  const expected = await outboxEventIds();
  expect(expected.length).toBeGreaterThan(16);
  const storeBy = Date.now() + 30_000;
  while ((await storedEventIds()).length < expected.length) {
    if (Date.now() > storeBy) break;
    await Bun.sleep(100);
  }
  const stored = await storedEventIds();
  expect(stored.sort()).toEqual(expected.sort());
  expect(new Set(stored).size).toBe(stored.length);
  const verified = await verifyChain(system.auditDeps, { maxProblems: 10 });
  expect(verified).toMatchObject({ intact: true, records: expected.length });
}, 120_000);
