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
});
