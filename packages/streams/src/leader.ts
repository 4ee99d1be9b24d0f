import { randomUUID } from "node:crypto";
import type { Logger } from "@opsc/logger";
import type Redis from "ioredis";
import { leaderKey } from "./keys.ts";
import { releaseLeaseScript, renewLeaseScript } from "./scripts.ts";
import { settlesWithin } from "./time.ts";

/** Why a {@link LeaderLease} stopped leading. */
export type LeadershipLossReason =
  /** Another holder has the key (ours expired while we were paused or cut off). */
  | "taken"
  /** No renewal succeeded before the lease ran out (Redis slow or unreachable). */
  | "expired"
  /** Renewing failed with an error; we step down rather than risk two leaders. */
  | "error"
  /** `stop()` released the lease. */
  | "released";

/** Options of {@link LeaderLease}. */
export interface LeaderLeaseOptions {
  /** A connection without `keyPrefix`. It should fail commands fast when Redis is down (`maxRetriesPerRequest`). */
  redis: Redis;
  prefix: string;
  /** What is being led, e.g. `scheduler`: the key is `${prefix}:leader:${name}`. */
  name: string;
  /** Lease length (default 15,000 ms): how long a crashed leader blocks the others at most. */
  ttlMs?: number;
  /** How often a follower tries to acquire (default `ttlMs / 3`). The leader renews every `ttlMs / 3`. */
  acquireIntervalMs?: number;
  /** Called when this replica becomes the leader. Callbacks run one at a time, in order. */
  onAcquired?: () => void | Promise<void>;
  /** Called when it stops leading, for whatever reason; stop the led work at once. */
  onLost?: (reason: LeadershipLossReason) => void | Promise<void>;
  log: Logger;
}

/**
 * A lease-based leader lock: `SET key token NX PX ttl` to acquire, a compare-and-PEXPIRE script every `ttl / 3` to
 * renew, a compare-and-DEL script to release. The holder counts its lease from when it *sent* the command, minus a
 * margin for clock drift, and steps down when that time passes without a confirmed renewal, so two replicas never
 * both believe they lead while their clocks run at the same rate. A paused process (a long GC, a suspended VM) can
 * still outlive its lease: work done as leader must also be safe to repeat (the run's idempotency key).
 */
export class LeaderLease {
  /** This contender's token, stored in the key while it leads. */
  readonly token = randomUUID();
  private readonly key: string;
  private readonly ttlMs: number;
  private readonly renewIntervalMs: number;
  private readonly acquireIntervalMs: number;
  private readonly driftMs: number;
  private leaseValidUntil = 0;
  private leading = false;
  private running = false;
  /** Bumped on every change of leadership, so a late reply from an older term is ignored. */
  private term = 0;
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private callbacks: Promise<void> = Promise.resolve();
  private ticking: Promise<void> | null = null;

  constructor(private readonly options: LeaderLeaseOptions) {
    this.key = leaderKey(options.prefix, options.name);
    this.ttlMs = options.ttlMs ?? 15_000;
    if (this.ttlMs < 100) throw new Error("ttlMs must be at least 100 ms");
    this.renewIntervalMs = Math.floor(this.ttlMs / 3);
    this.acquireIntervalMs = options.acquireIntervalMs ?? this.renewIntervalMs;
    this.driftMs = Math.ceil(this.ttlMs * 0.01) + 2;
  }

  /** Whether this replica leads now: it holds the lease and the lease has not run out by its own clock. */
  get isLeader(): boolean {
    return this.leading && Date.now() < this.leaseValidUntil;
  }

  /** Starts contending; resolves after the first attempt (so `isLeader` is already meaningful). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.tick();
  }

  /** Stops contending and, when leading, releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    // Bounded: a command stuck on a dead connection must not hold up shutdown.
    if (this.ticking) await settlesWithin(this.ticking, this.ttlMs);
    if (this.leading) {
      await releaseLeaseScript
        .run(this.options.redis, [this.key], [this.token])
        .catch((error) =>
          this.options.log.warn({ err: error, lease: this.key }, "releasing the lease failed"),
        );
      this.stepDown("released");
    }
    await this.callbacks;
  }

  private tick(): Promise<void> {
    this.ticking = (this.leading ? this.renew() : this.acquire()).finally(() => {
      this.ticking = null;
      if (!this.running) return;
      this.tickTimer = setTimeout(
        () => void this.tick(),
        this.leading ? this.renewIntervalMs : this.acquireIntervalMs,
      );
    });
    return this.ticking;
  }

  private async acquire(): Promise<void> {
    const term = this.term;
    const sentAt = Date.now();
    try {
      const reply = await this.options.redis.set(this.key, this.token, "PX", this.ttlMs, "NX");
      if (reply !== "OK" || term !== this.term || !this.running) return;
      const validUntil = sentAt + this.ttlMs - this.driftMs;
      // The reply came too late to lead on: the key expires by itself.
      if (Date.now() >= validUntil) return;
      this.leading = true;
      this.term++;
      this.extendLease(validUntil);
      this.options.log.info({ lease: this.key }, "leadership acquired");
      this.runCallback(() => this.options.onAcquired?.());
    } catch (error) {
      this.options.log.warn({ err: error, lease: this.key }, "acquiring the lease failed");
    }
  }

  private async renew(): Promise<void> {
    const term = this.term;
    const sentAt = Date.now();
    try {
      const renewed = await renewLeaseScript.run(this.options.redis, [this.key], [this.token, this.ttlMs]);
      if (term !== this.term) {
        // A renewal that arrived after we stepped down extended a lease nobody acts on: free it for the others.
        if (renewed === 1) await releaseLeaseScript.run(this.options.redis, [this.key], [this.token]);
        return;
      }
      if (renewed === 1) this.extendLease(sentAt + this.ttlMs - this.driftMs);
      else this.stepDown("taken");
    } catch (error) {
      if (term !== this.term) return;
      this.options.log.warn({ err: error, lease: this.key }, "renewing the lease failed; stepping down");
      this.stepDown("error");
    }
  }

  private extendLease(validUntil: number): void {
    this.leaseValidUntil = validUntil;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const term = this.term;
    // A renewal stuck in an offline queue never answers: the lease must end by the clock, not by a reply.
    this.expiryTimer = setTimeout(() => {
      if (term === this.term && this.leading) this.stepDown("expired");
    }, validUntil - Date.now());
  }

  private stepDown(reason: LeadershipLossReason): void {
    if (!this.leading) return;
    this.leading = false;
    this.leaseValidUntil = 0;
    this.term++;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    const log = reason === "released" ? this.options.log.info : this.options.log.warn;
    log.call(this.options.log, { lease: this.key, reason }, "leadership lost");
    // The next tick contends again (a renewal stuck on a dead connection delays it until the connection answers).
    this.runCallback(() => this.options.onLost?.(reason));
  }

  private runCallback(callback: () => void | Promise<void>): void {
    this.callbacks = this.callbacks
      .then(callback)
      .catch((error) =>
        this.options.log.error({ err: error, lease: this.key }, "leadership callback failed"),
      );
  }
}
