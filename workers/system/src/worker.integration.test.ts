import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "@opsc/logger";
import { defineJob } from "@opsc/streams";
import { createTestRedis, type TestRedis } from "@opsc/testing";
import { parseVaultKeys } from "@opsc/vault";
import Redis from "ioredis";
import { z } from "zod";
import type { SystemWorkerModule } from "./module.ts";
import { waitFor } from "./test-support/deployment.ts";
import { SystemWorker } from "./worker.ts";

const log = createLogger({ service: "system-worker-test", level: process.env.TEST_LOG_LEVEL ?? "silent" });
const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 1).toString("base64")}`);
let testRedis: TestRedis;
const started: SystemWorker[] = [];

beforeAll(async () => {
  testRedis = await createTestRedis();
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.stop({ timeoutMs: 100 })));
});
afterAll(async () => {
  await testRedis.cleanup();
});

/** A module that records what it handles and when its leader task runs or is aborted. */
function recordingModule(events: string[], label: string): SystemWorkerModule {
  return {
    name: "recording",
    jobs: [
      defineJob({
        name: "recording.note",
        stream: "recording",
        schema: z.object({ text: z.string() }),
        visibilityTimeoutMs: 1_000,
        maxAttempts: 1,
      }),
    ],
    handlers: () => ({
      "recording.note": async (payload: { text: string }) => {
        events.push(`${label} handled ${payload.text}`);
      },
    }),
    leaderTasks: [
      {
        name: "recording.tick",
        intervalMs: 50,
        async run(deps, signal) {
          events.push(`${label} tick`);
          await deps.producer.enqueue("recording.note", { text: `from ${label}` });
          signal.addEventListener("abort", () => events.push(`${label} aborted`), { once: true });
        },
      },
    ],
  };
}

async function startWorker(events: string[], label: string): Promise<SystemWorker> {
  const worker = new SystemWorker({
    redis: new Redis(testRedis.url, { maxRetriesPerRequest: 1 }),
    prefix: testRedis.prefix,
    vault,
    internalToken: "unused-internal-token-0123456789abcdef",
    serviceUrls: {},
    modules: [recordingModule(events, label)],
    concurrency: 4,
    leaseTtlMs: 600,
    blockMs: 200,
    log,
  });
  started.push(worker);
  await worker.start();
  return worker;
}

describe("SystemWorker", () => {
  test("one replica leads and runs the periodic tasks; every replica consumes; leadership moves on stop", async () => {
    const events: string[] = [];
    const a = await startWorker(events, "a");
    const b = await startWorker(events, "b");
    expect(a.isLeader).toBe(true);
    expect(b.isLeader).toBe(false);
    expect(await a.isReady()).toBe(true);
    await waitFor(
      "a few ticks of the leader",
      () => events.filter((event) => event === "a tick").length >= 3,
    );
    await waitFor("its messages handled", () => events.some((event) => event.endsWith("handled from a")));
    expect(events).not.toContain("b tick");

    await a.stop({ timeoutMs: 500 });
    expect(await a.isReady()).toBe(false);
    expect(events).toContain("a aborted");
    // The lease was released on stop: b takes over at its next attempt, not after the lease would have expired.
    await waitFor("b to lead", () => b.isLeader);
    await waitFor("b's ticks", () => events.includes("b tick"));
    await waitFor("b handles its own messages", () => events.includes("b handled from b"));
  });

  test("refuses two modules defining one job, and handlers for jobs nobody defines", () => {
    const events: string[] = [];
    const options = {
      redis: testRedis.redis,
      prefix: testRedis.prefix,
      vault,
      internalToken: "unused-internal-token-0123456789abcdef",
      serviceUrls: {},
      concurrency: 1,
      log,
    };
    const module = recordingModule(events, "x");
    expect(() => new SystemWorker({ ...options, modules: [module, { ...module, name: "copy" }] })).toThrow(
      "defined twice",
    );
    const stray: SystemWorkerModule = {
      name: "stray",
      jobs: [],
      handlers: () => ({ "nobody.defines": async () => {} }),
    };
    expect(() => new SystemWorker({ ...options, modules: [module, stray] })).toThrow(
      "which no module defines",
    );
  });
});
