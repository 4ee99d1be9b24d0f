import { describe, expect, test } from "bun:test";
import { measureDuration, runScenario } from "./measure.ts";

describe("runScenario", () => {
  test("counts every request, reports failures as errors and orders the percentiles", async () => {
    let calls = 0;
    const result = await runScenario(
      "mixed",
      async () => {
        const call = ++calls;
        await Bun.sleep(call % 10);
        // Every fifth call fails: calls 11 to 110 are measured (1 to 10 warm up), so 20 errors.
        return new Response("x", { status: call % 5 === 0 ? 500 : 200 });
      },
      { total: 100, concurrency: 4, warmup: 10 },
    );
    expect(calls).toBe(110);
    expect(result.requests).toBe(100);
    expect(result.errors).toBe(20);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p90Ms);
    expect(result.p90Ms).toBeLessThanOrEqual(result.p99Ms);
    expect(result.p99Ms).toBeLessThanOrEqual(result.maxMs);
  });
});

describe("measureDuration", () => {
  test("times every round after the warm-up, sums the errors and derives items per second from the median", async () => {
    let runs = 0;
    const result = await measureDuration(
      "sleepy",
      async () => {
        runs++;
        await Bun.sleep(5);
        return { items: 10, errors: runs === 3 ? 2 : 0 };
      },
      { rounds: 4, warmup: 1 },
    );
    expect(runs).toBe(5);
    expect(result).toMatchObject({ name: "sleepy", rounds: 4, items: 10, errors: 2 });
    expect(result.minMs).toBeLessThanOrEqual(result.medianMs);
    expect(result.medianMs).toBeLessThanOrEqual(result.maxMs);
    // medianMs is rounded to 0.01 ms, so compare within 1 %.
    expect(Math.abs(result.itemsPerSecond / (10 / (result.medianMs / 1000)) - 1)).toBeLessThan(0.01);
  });

  test("takes the duration a round reports, and the median of each extra number over the rounds", async () => {
    let runs = 0;
    const result = await measureDuration(
      "reported",
      async () => {
        runs++;
        return { items: 100, errors: 0, durationMs: runs * 100, extra: { p50Ms: runs, p99Ms: 10 * runs } };
      },
      { rounds: 3, warmup: 1 },
    );
    // Rounds 2, 3 and 4 are measured: 200, 300 and 400 ms.
    expect(result).toMatchObject({ medianMs: 300, minMs: 200, maxMs: 400, itemsPerSecond: 333.33 });
    expect(result.extra).toEqual({ p50Ms: 3, p99Ms: 30 });
  });

  test("reports no extra numbers when the rounds have none", async () => {
    const result = await measureDuration("plain", async () => ({ items: 1, errors: 0 }), {
      rounds: 2,
      warmup: 0,
    });
    expect(result.extra).toBeUndefined();
  });
});
