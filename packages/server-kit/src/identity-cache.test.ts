import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TCaller } from "@opsc/contracts";
import { createTestRedis, type TestRedis } from "@opsc/testing";
import { IdentityCache } from "./identity-cache.ts";

const alice: TCaller = { userId: "u1", email: "a@example.com", name: "Alice", role: "admin", apiKeyId: null };
const request = { requestId: "r1", sourceIp: null };

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(() => redis.cleanup());

/** An authenticate function that answers `current` and counts its calls. */
function counting() {
  const state = { calls: 0, current: alice as TCaller | null };
  const authenticate = async () => {
    state.calls++;
    return state.current;
  };
  return { state, authenticate };
}

const withKey = (key: string) => new Headers({ "x-api-key": key });

describe("IdentityCache", () => {
  test("reuses a resolved caller until the epoch changes, then resolves again", async () => {
    const cache = new IdentityCache({ redis: redis.redis, prefix: `${redis.prefix}:a` });
    const { state, authenticate } = counting();
    const wrapped = cache.wrap(authenticate);
    expect(await wrapped(withKey("k1"), request)).toEqual(alice);
    expect(await wrapped(withKey("k1"), request)).toEqual(alice);
    expect(state.calls).toBe(1);
    state.current = { ...alice, role: "viewer" };
    await cache.invalidate();
    expect((await wrapped(withKey("k1"), request))?.role).toBe("viewer");
    expect(state.calls).toBe(2);
  });

  test("an invalidation by another instance (another service) reaches this one", async () => {
    const prefix = `${redis.prefix}:b`;
    const here = new IdentityCache({ redis: redis.redis, prefix });
    const auth = new IdentityCache({ redis: redis.redis, prefix });
    const { state, authenticate } = counting();
    const wrapped = here.wrap(authenticate);
    await wrapped(withKey("k1"), request);
    state.current = null;
    await auth.invalidate();
    expect(await wrapped(withKey("k1"), request)).toBeNull();
  });

  test("different credentials are different entries; anonymous requests never reach authenticate", async () => {
    const cache = new IdentityCache({ redis: redis.redis, prefix: `${redis.prefix}:c` });
    const { state, authenticate } = counting();
    const wrapped = cache.wrap(authenticate);
    expect(await wrapped(new Headers(), request)).toBeNull();
    expect(state.calls).toBe(0);
    await wrapped(withKey("k1"), request);
    await wrapped(withKey("k2"), request);
    await wrapped(new Headers({ authorization: "Bearer abc" }), request);
    expect(state.calls).toBe(3);
  });

  test("a refusal is not remembered", async () => {
    const cache = new IdentityCache({ redis: redis.redis, prefix: `${redis.prefix}:d` });
    const { state, authenticate } = counting();
    state.current = null;
    const wrapped = cache.wrap(authenticate);
    await wrapped(withKey("bad"), request);
    await wrapped(withKey("bad"), request);
    expect(state.calls).toBe(2);
  });

  test("an expired JWT is not served from the cache", async () => {
    const cache = new IdentityCache({ redis: redis.redis, prefix: `${redis.prefix}:e` });
    const { state, authenticate } = counting();
    const wrapped = cache.wrap(authenticate);
    const payload = Buffer.from(
      JSON.stringify({ sub: "u1", exp: Math.floor(Date.now() / 1000) - 1 }),
    ).toString("base64url");
    const headers = new Headers({ authorization: `Bearer x.${payload}.y` });
    await wrapped(headers, request);
    await wrapped(headers, request);
    expect(state.calls).toBe(2);
  });

  test("ttl 0 turns it off", async () => {
    const cache = new IdentityCache({ redis: redis.redis, prefix: `${redis.prefix}:f`, ttlMs: 0 });
    const { state, authenticate } = counting();
    const wrapped = cache.wrap(authenticate);
    await wrapped(withKey("k1"), request);
    await wrapped(withKey("k1"), request);
    expect(state.calls).toBe(2);
  });

  test("the oldest entry leaves when the cache is full", async () => {
    const cache = new IdentityCache({ redis: redis.redis, prefix: `${redis.prefix}:g`, maxEntries: 2 });
    const { state, authenticate } = counting();
    const wrapped = cache.wrap(authenticate);
    for (const key of ["k1", "k2", "k3", "k3", "k2", "k1"]) await wrapped(withKey(key), request);
    // k1, k2, k3 resolved; k3 and k2 cached; k1 was evicted when k3 arrived, so it resolves again.
    expect(state.calls).toBe(4);
  });
});
