import type { TCaller } from "@opsc/contracts";
import type Redis from "ioredis";
import type { Authenticate } from "./context.ts";

/** The credential headers a caller is resolved from; a request without any of them is anonymous. */
const CREDENTIAL_HEADERS = ["cookie", "authorization", "x-api-key"] as const;

export interface IdentityCacheOptions {
  redis: Redis;
  /** The deployment's Redis key prefix (`opsc`); the epoch lives at `<prefix>:identity:epoch`. */
  prefix: string;
  /** How long a resolved caller is reused at most; 0 turns the cache off. */
  ttlMs?: number;
  maxEntries?: number;
}

interface Entry {
  caller: TCaller;
  epoch: string;
  expiresAt: number;
}

/**
 * Remembers which caller a set of credentials resolved to, so that a service does not ask the auth service on every
 * request. Correctness rests on one counter in Redis, the identity epoch: the auth service increments it after every
 * change that could alter a resolution (a role, a ban, a revoked key or session, a sign-out, a password change), and
 * an entry is used only while the epoch it was resolved under is still the current one. The epoch is read before
 * resolving, so a resolution racing with a change is stored under the old epoch and never reused. Natural expiry of
 * a session, key or JWT is honoured within `ttlMs` (a JWT's own `exp` exactly). Credentials are kept only as SHA-256
 * digests.
 */
export class IdentityCache {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: IdentityCacheOptions) {
    this.#redis = options.redis;
    this.#key = `${options.prefix}:identity:epoch`;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Called by the auth service after a change to identity data has committed. */
  async invalidate(): Promise<void> {
    await this.#redis.incr(this.#key);
  }

  /** Wraps an authenticate function: anonymous requests resolve locally, known credentials from the cache. */
  wrap(authenticate: Authenticate): Authenticate {
    return async (headers, request) => {
      const digest = credentialDigest(headers);
      if (!digest) return null;
      if (this.#ttlMs <= 0) return authenticate(headers, request);
      const epoch = (await this.#redis.get(this.#key)) ?? "0";
      const now = Date.now();
      const entry = this.#entries.get(digest);
      if (entry && entry.epoch === epoch && entry.expiresAt > now) return entry.caller;
      if (entry) this.#entries.delete(digest);
      const caller = await authenticate(headers, request);
      if (caller) {
        if (this.#entries.size >= this.#maxEntries) {
          // Maps iterate in insertion order: the first key is the oldest entry.
          const oldest = this.#entries.keys().next().value;
          if (oldest !== undefined) this.#entries.delete(oldest);
        }
        const expiresAt = Math.min(now + this.#ttlMs, jwtExpiry(headers) ?? Number.POSITIVE_INFINITY);
        this.#entries.set(digest, { caller, epoch, expiresAt });
      }
      return caller;
    };
  }
}

function credentialDigest(headers: Headers): string | null {
  const values = CREDENTIAL_HEADERS.map((name) => headers.get(name) ?? "");
  if (values.every((value) => value === "")) return null;
  return new Bun.CryptoHasher("sha256").update(values.join("\0")).digest("base64url");
}

/** The `exp` of a bearer JWT in milliseconds, read without verifying: it only ever shortens an entry's life. */
function jwtExpiry(headers: Headers): number | null {
  const token = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  const payload = token?.split(".");
  if (payload?.length !== 3) return null;
  try {
    const exp = JSON.parse(Buffer.from(payload[1]!, "base64url").toString("utf8")).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}
