import { describe, expect, test } from "bun:test";
import { runScenario } from "./measure.ts";

describe("runScenario", () => {
  test("counts every request, reports failures as errors and orders the percentiles", async () => {
    let calls = 0;
    const result = await runScenario(
      "mixed",
      async () => {
        calls++;
        await Bun.sleep(calls % 10);
        return new Response("x", { status: calls % 5 === 0 ? 500 : 200 });
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
