import type { Logger } from "@opsc/logger";
import type Redis from "ioredis";
import { AckBatcher } from "./ack-batcher.ts";
import { catalogStreams, type JobCatalog, type JobHandlers } from "./catalog.ts";
import {
  DEFAULT_DEAD_LETTER_MAX_LENGTH,
  type StopOptions,
  type StreamConsumerOptions,
} from "./consumer-options.ts";
import { type Delivery, runDelivery } from "./delivery.ts";
import { defaultConsumerName, type StreamKeys, streamKeys } from "./keys.ts";
import { LazyAbort } from "./lazy-abort.ts";
import { parseReadReply } from "./message.ts";
import { countOutcome, type DeliveryOutcome, messagesReclaimed, trackInFlight } from "./metrics.ts";
import { assertNoKeyPrefix, DEFAULT_STREAM_MAX_LENGTH } from "./producer.ts";
import { reclaimEntries } from "./reclaim.ts";
import { promoteScript } from "./scripts.ts";
import { settlesWithin, sleep } from "./time.ts";

interface StreamState {
  name: string;
  keys: StreamKeys;
  minVisibilityTimeoutMs: number;
}

interface RunningDelivery {
  abort: LazyAbort;
  done: Promise<void>;
}

type State = "created" | "running" | "stopping" | "stopped";

/** After the stop timeout aborts the handlers' signals, how long to let them react before returning. */
const ABORT_GRACE_MS = 100;
const PROMOTE_BATCH = 1_000;
/** How often a consumer with fewer free slots than streams polls them when all were empty. */
const PARTIAL_READ_POLL_MS = 50;

/**
 * Runs a catalog's handlers on messages from its streams, as one consumer of a consumer group: reads only when it
 * has free slots, runs up to `concurrency` handlers at once, acknowledges successes, retries failures (after a delay
 * when asked), dead-letters what cannot succeed, promotes due delayed messages and reclaims messages that a dead
 * consumer held past their visibility timeout. Delivery is at least once: handlers must be idempotent.
 */
export class StreamConsumer<Catalog extends JobCatalog> {
  /** This consumer's name within the group. */
  readonly consumerName: string;
  private readonly redis: Redis;
  private readonly blockingRedis: Redis;
  private readonly ownsBlockingRedis: boolean;
  private readonly streams: StreamState[];
  private readonly streamsByKey: Map<string, StreamState>;
  private readonly concurrency: number;
  private readonly blockMs: number;
  private readonly reclaimIntervalMs: number;
  private readonly delayedPollIntervalMs: number;
  private readonly maxLength: string;
  private readonly deadLetterMaxLength: string;
  private readonly acks: AckBatcher;
  private readonly log: Logger;
  private readonly running = new Map<string, RunningDelivery>();
  private state: State = "created";
  private slotWaiters: (() => void)[] = [];
  private readLoop: Promise<void> | null = null;
  private promoteLoop: Promise<void> | null = null;
  /** Aborted by stop(): ends the loops' sleeps at once. */
  private readonly stopping = new AbortController();
  private blockingClientId: number | null = null;
  private streamRotation = 0;
  private untrackInFlight: (() => void) | null = null;

  constructor(private readonly options: StreamConsumerOptions<Catalog>) {
    assertNoKeyPrefix(options.redis);
    this.redis = options.redis;
    this.consumerName = options.consumer ?? defaultConsumerName();
    this.concurrency = options.concurrency ?? 10;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new Error("concurrency must be ≥ 1");
    this.blockMs = options.blockMs ?? 5_000;
    this.streams = catalogStreams(options.catalog).map((name) => ({
      name,
      keys: streamKeys(options.prefix, name),
      minVisibilityTimeoutMs: Math.min(
        ...Object.values(options.catalog)
          .filter((job) => job.stream === name)
          .map((job) => job.visibilityTimeoutMs),
      ),
    }));
    if (this.streams.length === 0) throw new Error("the catalog has no jobs");
    // An idle consumer must be able to block on every stream at once (COUNT is per stream).
    if (this.concurrency < this.streams.length) {
      throw new Error(
        `concurrency (${this.concurrency}) must be at least the number of streams (${this.streams.length})`,
      );
    }
    for (const name of Object.keys(options.catalog)) {
      if (typeof options.handlers[name] !== "function") throw new Error(`no handler for job ${name}`);
    }
    this.streamsByKey = new Map(this.streams.map((stream) => [stream.keys.stream, stream]));
    const shortestTimeoutMs = Math.min(...this.streams.map((stream) => stream.minVisibilityTimeoutMs));
    this.reclaimIntervalMs =
      options.reclaimIntervalMs ?? Math.min(30_000, Math.max(100, shortestTimeoutMs / 2));
    this.delayedPollIntervalMs = options.delayedPollIntervalMs ?? 250;
    this.maxLength = String(
      options.maxLength === null ? 0 : (options.maxLength ?? DEFAULT_STREAM_MAX_LENGTH),
    );
    this.deadLetterMaxLength = String(options.deadLetterMaxLength ?? DEFAULT_DEAD_LETTER_MAX_LENGTH);
    this.acks = new AckBatcher(this.redis, options.group);
    this.log = options.log.child({ group: options.group, consumer: this.consumerName });
    // Last, so that invalid options throw before a connection opens. No command timeout on the blocking
    // connection: XREADGROUP BLOCK waits on purpose.
    this.ownsBlockingRedis = !options.blockingRedis;
    this.blockingRedis = options.blockingRedis ?? options.redis.duplicate({ commandTimeout: undefined });
  }

  /** Handlers running now. */
  get inFlightCount(): number {
    return this.running.size;
  }

  /** Creates the consumer groups (if missing) and starts reading, promoting and reclaiming. */
  async start(): Promise<void> {
    if (this.state !== "created") throw new Error(`consumer already ${this.state}`);
    this.state = "running";
    try {
      await this.createGroups();
      // CLIENT UNBLOCK needs the blocking connection's id, which changes when it reconnects.
      this.blockingClientId = Number(await this.blockingRedis.client("ID"));
      this.blockingRedis.on("ready", this.refreshBlockingClientId);
    } catch (error) {
      this.state = "stopped";
      if (this.ownsBlockingRedis) this.blockingRedis.disconnect();
      throw error;
    }
    // stop() called while the groups were being created: it has cleaned up already.
    if (this.state !== "running") return;
    this.untrackInFlight = trackInFlight(this.options.group, () => this.running.size);
    this.readLoop = this.runReadLoop();
    this.promoteLoop = this.runPromoteLoop();
    this.log.info({ streams: this.streams.map((stream) => stream.name) }, "stream consumer started");
  }

  /**
   * Stops reading, then waits up to `timeoutMs` for running handlers; after that their `signal` aborts and whatever
   * has not finished is left un-acknowledged, for another consumer to reclaim after its visibility timeout. Register
   * it as a shutdown hook. Resolves once nothing more will be read or acknowledged.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.state !== "running") return;
    this.state = "stopping";
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    this.releaseSlotWaiters();
    this.stopping.abort();
    // Bounded like the rest: with Redis unreachable these may hang on commands ioredis keeps retrying.
    await Promise.all([
      this.interruptRead(deadline),
      settlesWithin(this.promoteLoop ?? Promise.resolve(), deadline - Date.now()),
    ]);

    const allDone = Promise.allSettled([...this.running.values()].map((delivery) => delivery.done));
    const timedOut = !(await settlesWithin(allDone, deadline - Date.now()));
    if (timedOut) {
      this.log.warn(
        { inFlight: this.running.size },
        "stop timeout: aborting handlers, leaving them un-acked",
      );
      for (const delivery of this.running.values()) delivery.abort.abort(new Error("consumer stopping"));
      await settlesWithin(allDone, ABORT_GRACE_MS);
    }
    this.state = "stopped";
    this.untrackInFlight?.();
    this.blockingRedis.off("ready", this.refreshBlockingClientId);
    if (this.ownsBlockingRedis) this.blockingRedis.disconnect();
    this.log.info({ abandoned: this.running.size }, "stream consumer stopped");
  }

  private async createGroups(): Promise<void> {
    for (const stream of this.streams) {
      try {
        // From "0", not "$": messages enqueued before the first worker ever started must not be skipped.
        await this.redis.xgroup("CREATE", stream.keys.stream, this.options.group, "0", "MKSTREAM");
      } catch (error) {
        if (!String((error as Error).message).startsWith("BUSYGROUP")) throw error;
      }
    }
  }

  private readonly refreshBlockingClientId = () => {
    this.blockingRedis
      .client("ID")
      .then((id) => {
        this.blockingClientId = Number(id);
      })
      .catch(() => undefined);
  };

  private async runReadLoop(): Promise<void> {
    let errorDelayMs = 0;
    let emptyPartialReads = 0;
    let nextReclaimAt = Date.now() + this.reclaimIntervalMs;
    while (this.state === "running") {
      await this.waitForSlot();
      if (this.state !== "running") break;
      // Handlers that finish in the same burst free their slots in this turn: read for all of them at once.
      await new Promise((resolve) => setImmediate(resolve));
      // Reclaiming runs here, not on a timer of its own, so that only this loop ever takes messages and a read and
      // a reclaim can never together take more than the free slots.
      if (Date.now() >= nextReclaimAt) {
        await this.reclaim();
        nextReclaimAt = Date.now() + this.reclaimIntervalMs;
        continue;
      }
      const free = this.concurrency - this.running.size;
      if (free <= 0) continue;
      const { keys, count, isPartial } = this.planRead(free);
      // BLOCK 0 would wait forever; a read ends by the next reclaim, so an idle consumer still reclaims on time.
      const blockMs = Math.max(1, Math.min(this.blockMs, nextReclaimAt - Date.now()));
      let reply: unknown;
      try {
        reply = await this.blockingRedis.call(
          "XREADGROUP",
          "GROUP",
          this.options.group,
          this.consumerName,
          "COUNT",
          count,
          // Blocking on some of the streams would leave the others unread for blockMs, so a partial read polls.
          ...(isPartial ? [] : ["BLOCK", blockMs]),
          "STREAMS",
          ...keys,
          ...keys.map(() => ">"),
        );
        errorDelayMs = 0;
      } catch (error) {
        if (this.state !== "running") break;
        errorDelayMs = Math.min(5_000, Math.max(100, errorDelayMs * 2));
        if (String((error as Error).message).startsWith("NOGROUP")) {
          // The stream was deleted under us (FLUSHDB, a manual DEL): recreate it and go on.
          this.log.warn("consumer group missing; recreating it");
          const recreated = await this.createGroups().then(
            () => true,
            () => false,
          );
          if (recreated) continue;
        }
        this.log.error({ err: error, retryInMs: errorDelayMs }, "XREADGROUP failed");
        await sleep(errorDelayMs, this.stopping.signal);
        continue;
      }
      const streamReplies = parseReadReply(reply);
      if (isPartial && streamReplies.length === 0) {
        // Every stream polled empty: wait for more free slots (then block on all of them) or a short while.
        emptyPartialReads++;
        if (emptyPartialReads >= Math.ceil(this.streams.length / free)) {
          emptyPartialReads = 0;
          await this.waitForSlotRelease(PARTIAL_READ_POLL_MS);
        }
        continue;
      }
      emptyPartialReads = 0;
      // Entries that arrive after stop() began still run: they are in this consumer's pending list already.
      for (const { streamKey, entries } of streamReplies) {
        const stream = this.streamsByKey.get(streamKey);
        if (!stream) continue;
        for (const entry of entries) {
          if (entry.fields) this.startDelivery(stream, entry.entryId, entry.fields, 1);
        }
      }
    }
  }

  /**
   * Which streams to read and how many from each, never more than `free` in all (COUNT applies per stream). With
   * fewer free slots than streams, one entry from each of `free` streams, rotating so that none starves.
   */
  private planRead(free: number): { keys: string[]; count: number; isPartial: boolean } {
    const total = this.streams.length;
    if (free >= total) {
      return {
        keys: this.streams.map((stream) => stream.keys.stream),
        count: Math.floor(free / total),
        isPartial: false,
      };
    }
    const keys: string[] = [];
    for (let index = 0; index < free; index++) {
      keys.push(this.streams[(this.streamRotation + index) % total]!.keys.stream);
    }
    this.streamRotation = (this.streamRotation + free) % total;
    return { keys, count: 1, isPartial: true };
  }

  private startDelivery(
    stream: StreamState,
    entryId: string,
    fields: Record<string, string>,
    deliveries: number,
  ): void {
    const runningKey = `${stream.keys.stream} ${entryId}`;
    const abort = new LazyAbort();
    const delivery: Delivery = {
      redis: this.redis,
      acks: this.acks,
      catalog: this.options.catalog,
      handlers: this.options.handlers as JobHandlers<JobCatalog>,
      group: this.options.group,
      consumer: this.consumerName,
      stream: stream.name,
      keys: stream.keys,
      entryId,
      fields,
      deliveries,
      abort,
      maxLength: this.maxLength,
      deadLetterMaxLength: this.deadLetterMaxLength,
      log: this.log,
      isStopping: () => this.state !== "running",
      isStopped: () => this.state === "stopped",
    };
    const done = runDelivery(delivery)
      .catch((error: unknown) => {
        this.log.error(
          { err: error, entryId },
          "delivery failed unexpectedly; the message will be reclaimed",
        );
        return "abandoned" satisfies DeliveryOutcome;
      })
      .then(() => undefined)
      .finally(() => {
        this.running.delete(runningKey);
        this.releaseSlotWaiters();
      });
    this.running.set(runningKey, { abort, done });
  }

  private waitForSlot(): Promise<void> {
    if (this.running.size < this.concurrency || this.state !== "running") return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  /** Resolves when a handler finishes (or stop() begins), or after `ms`. */
  private async waitForSlotRelease(ms: number): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.slotWaiters.push(release);
    await settlesWithin(released, ms);
  }

  private releaseSlotWaiters(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Ends a blocked XREADGROUP now (CLIENT UNBLOCK makes it return as if timed out), then waits for the loop, until
   * `deadline`; past it, an owned blocking connection is closed, which fails the read.
   */
  private async interruptRead(deadline: number): Promise<void> {
    const loop = this.readLoop;
    if (!loop) return;
    // Repeated: the loop may be between reads when an UNBLOCK arrives, and then block right after.
    do {
      if (Date.now() >= deadline) {
        if (this.ownsBlockingRedis) this.blockingRedis.disconnect();
        await settlesWithin(loop, ABORT_GRACE_MS);
        return;
      }
      if (this.blockingClientId !== null) {
        await settlesWithin(
          this.redis.call("CLIENT", "UNBLOCK", this.blockingClientId),
          deadline - Date.now(),
        );
      }
    } while (!(await settlesWithin(loop, 50)));
  }

  /** Promotes due delayed messages, as soon as the next one is due or every `delayedPollIntervalMs`. */
  private async runPromoteLoop(): Promise<void> {
    while (this.state === "running") {
      const waitMs = await this.promoteDelayed();
      await sleep(Math.max(1, waitMs), this.stopping.signal);
    }
  }

  /** Moves due delayed messages into their streams; returns how long to wait before the next look. */
  private async promoteDelayed(): Promise<number> {
    let waitMs = this.delayedPollIntervalMs;
    for (const stream of this.streams) {
      try {
        for (;;) {
          const [promoted, untilNextMs] = (await promoteScript.run(
            this.redis,
            [stream.keys.delayed, stream.keys.stream],
            [PROMOTE_BATCH, this.maxLength],
          )) as [number, number];
          if (untilNextMs >= 0) waitMs = Math.min(waitMs, untilNextMs);
          if (promoted < PROMOTE_BATCH) break;
        }
      } catch (error) {
        this.log.warn({ err: error, stream: stream.name }, "promoting delayed messages failed");
      }
    }
    return waitMs;
  }

  private async reclaim(): Promise<void> {
    for (const stream of this.streams) {
      const free = this.concurrency - this.running.size;
      if (free <= 0) return;
      try {
        const { claimed, trimmedCount } = await reclaimEntries({
          redis: this.redis,
          streamKey: stream.keys.stream,
          group: this.options.group,
          consumer: this.consumerName,
          catalog: this.options.catalog,
          minIdleMs: stream.minVisibilityTimeoutMs,
          limit: free,
          isRunning: (entryId) => this.running.has(`${stream.keys.stream} ${entryId}`),
        });
        if (trimmedCount > 0) {
          countOutcome(stream.name, "unknown", "lost", trimmedCount);
          this.log.error(
            { stream: stream.name, count: trimmedCount },
            "pending messages were trimmed from the stream before they finished; raise maxLength",
          );
        }
        if (claimed.length === 0) continue;
        messagesReclaimed.inc({ stream: stream.name }, claimed.length);
        this.log.warn(
          { stream: stream.name, count: claimed.length },
          "reclaimed messages past their visibility timeout",
        );
        for (const entry of claimed)
          this.startDelivery(stream, entry.entryId, entry.fields, entry.deliveries);
      } catch (error) {
        this.log.warn({ err: error, stream: stream.name }, "reclaiming messages failed");
      }
    }
  }
}
