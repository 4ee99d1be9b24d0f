import Redis from "ioredis";
import { randomSuffix } from "./random.ts";

/** Redis the tests use unless `TEST_REDIS_URL` says otherwise. */
export const DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379";

/** An isolated key space on the shared test Redis, created by {@link createTestRedis}. */
export interface TestRedis {
  url: string;
  /** Random key prefix (`opsc_t_<hex>`); pass it as REDIS_PREFIX to the code under test. */
  prefix: string;
  /** A connected client without a keyPrefix, so tests see the real key names. */
  redis: Redis;
  /** Deletes every key starting with `prefix` (SCAN + UNLINK) and closes `redis`. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Deletes every key that starts with `prefix`; returns how many were deleted. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (/[*?[\]\\]/.test(prefix)) throw new Error(`prefix must not contain glob characters: ${prefix}`);
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** Connects to `TEST_REDIS_URL` (default {@link DEFAULT_TEST_REDIS_URL}) with a fresh random key prefix. */
export async function createTestRedis(): Promise<TestRedis> {
  const url = process.env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL;
  const prefix = `opsc_t_${randomSuffix()}`;
  // Fail fast instead of retrying forever when Redis is down.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  await redis.connect();
  let done = false;
  return {
    url,
    prefix,
    redis,
    async cleanup() {
      if (done) return;
      done = true;
      try {
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        // quit() resolves on the server's OK; wait for the socket to close too, so tests leave no handle behind.
        const ended = new Promise((resolve) => redis.once("end", resolve));
        await redis.quit().catch(() => redis.disconnect());
        if (redis.status !== "end") await ended;
      }
    },
  };
}
