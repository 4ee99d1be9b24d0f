import { describe, expect, test } from "bun:test";
import { consumerGroupName, defaultConsumerName, leaderKey, streamKeys } from "./keys.ts";

describe("keys", () => {
  test("every key of a stream is prefix:stream:kind", () => {
    const keys = streamKeys("opsc", "execution");
    expect(keys.stream).toBe("opsc:execution:tasks");
    expect(keys.deadLetter).toBe("opsc:execution:dead");
    expect(keys.delayed).toBe("opsc:execution:delayed");
    expect(keys.idempotency("run-1")).toBe("opsc:execution:idempotency:run-1");
    expect(leaderKey("opsc", "scheduler")).toBe("opsc:leader:scheduler");
    expect(consumerGroupName("execution-worker")).toBe("execution-worker");
  });

  test("refuse parts that would collide or break prefix scans", () => {
    expect(() => streamKeys("opsc", "a:b")).toThrow(/stream/);
    expect(() => streamKeys("op*", "a")).toThrow(/prefix/);
    expect(() => leaderKey("opsc", "")).toThrow(/lease name/);
  });

  test("consumer names are unique per call", () => {
    expect(defaultConsumerName()).not.toBe(defaultConsumerName());
    expect(defaultConsumerName()).toContain(`-${process.pid}-`);
  });
});
