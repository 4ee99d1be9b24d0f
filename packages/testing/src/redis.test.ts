import { describe, expect, test } from "bun:test";
import { createTestRedis } from "./redis.ts";

describe("createTestRedis", () => {
  test("cleanup() deletes every key under the prefix and nothing else", async () => {
    const a = await createTestRedis();
    const b = await createTestRedis();
    try {
      expect(a.prefix).toMatch(/^opsc_t_[0-9a-f]{12}$/);
      expect(a.prefix).not.toBe(b.prefix);
      // More keys than one SCAN page, and several types, to exercise the cursor loop.
      const pipeline = a.redis.pipeline();
      for (let i = 0; i < 2500; i++) pipeline.set(`${a.prefix}:k:${i}`, "v");
      pipeline.hset(`${a.prefix}:hash`, "f", "v");
      pipeline.xadd(`${a.prefix}:stream`, "*", "f", "v");
      await pipeline.exec();
      await b.redis.set(`${b.prefix}:survivor`, "1");

      await a.cleanup();
      expect(a.redis.status).toBe("end");

      const [, leftover] = await b.redis.scan("0", "MATCH", `${a.prefix}*`, "COUNT", 10_000);
      expect(leftover).toEqual([]);
      expect(await b.redis.get(`${b.prefix}:survivor`)).toBe("1");
      await a.cleanup(); // idempotent
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});
