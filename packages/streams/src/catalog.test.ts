import { describe, expect, test } from "bun:test";
import { z } from "zod";
import {
  catalogStreams,
  defineCatalog,
  defineJob,
  type EnqueueableJobName,
  type JobHandlers,
  type JobInput,
  type JobPayload,
} from "./catalog.ts";

const runTask = defineJob({
  name: "execution.run",
  stream: "execution",
  schema: z.object({ taskId: z.string(), retries: z.number().default(0) }),
  visibilityTimeoutMs: 30_000,
  maxAttempts: 3,
});
const oldRun = defineJob({
  name: "execution.run-v0",
  stream: "execution",
  schema: z.object({ id: z.string() }),
  visibilityTimeoutMs: 30_000,
  maxAttempts: 1,
  deprecated: true,
});
const ping = defineJob({
  name: "health.ping",
  stream: "health",
  schema: z.object({ targetId: z.string() }),
  visibilityTimeoutMs: 5_000,
  maxAttempts: 2,
});
const catalog = defineCatalog(runTask, oldRun, ping);
type Catalog = typeof catalog;

describe("defineJob / defineCatalog", () => {
  test("index jobs by name and list each stream once", () => {
    expect(Object.keys(catalog)).toEqual(["execution.run", "execution.run-v0", "health.ping"]);
    expect(catalog["health.ping"]).toBe(ping);
    expect(catalogStreams(catalog)).toEqual(["execution", "health"]);
  });

  test("refuse duplicate names and nonsensical settings", () => {
    expect(() => defineCatalog(runTask, runTask)).toThrow(/defined twice/);
    expect(() => defineJob({ ...ping, name: "Bad Name" })).toThrow(/job name/);
    expect(() => defineJob({ ...ping, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => defineJob({ ...ping, visibilityTimeoutMs: 10 })).toThrow(/visibilityTimeoutMs/);
  });

  test("type producers and handlers by name", () => {
    // Compile-time checks: `tsc` fails if these types drift.
    const enqueueable: EnqueueableJobName<Catalog>[] = ["execution.run", "health.ping"];
    // @ts-expect-error a deprecated job takes no new messages
    const deprecated: EnqueueableJobName<Catalog> = "execution.run-v0";
    const input: JobInput<Catalog, "execution.run"> = { taskId: "t" }; // the default makes `retries` optional
    const payload: JobPayload<Catalog, "execution.run"> = { taskId: "t", retries: 0 };
    // @ts-expect-error handlers get the output, where `retries` is required
    const incomplete: JobPayload<Catalog, "execution.run"> = { taskId: "t" };
    const handlers: JobHandlers<Catalog> = {
      "execution.run": async (received) => {
        received.retries.toFixed();
      },
      "execution.run-v0": async (received) => {
        received.id.toUpperCase();
      },
      "health.ping": async () => {},
    };
    expect([enqueueable, deprecated, input, payload, incomplete, handlers]).toHaveLength(6);
  });
});
