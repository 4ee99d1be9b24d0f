import type { Logger } from "@opsc/logger";
import type Redis from "ioredis";
import type { JobCatalog, JobHandlers } from "./catalog.ts";

/** Default cap of a dead-letter stream (approximate, oldest first). */
export const DEFAULT_DEAD_LETTER_MAX_LENGTH = 100_000;

/** Options of {@link StreamConsumer}. */
export interface StreamConsumerOptions<Catalog extends JobCatalog> {
  /** For every non-blocking command. A connection without `keyPrefix`; the consumer never closes it. */
  redis: Redis;
  /**
   * For the blocking XREADGROUP only, since a blocked connection runs nothing else. Created with
   * `redis.duplicate()` (and closed by `stop()`) when omitted.
   */
  blockingRedis?: Redis;
  prefix: string;
  /** The consumer group, one per worker kind (see `consumerGroupName`). */
  group: string;
  /** Unique per process; `host-pid-random` by default. */
  consumer?: string;
  /** The jobs this consumer runs; it reads every stream they use. */
  catalog: Catalog;
  handlers: JobHandlers<Catalog>;
  /**
   * Handlers running at once, at most (default 10), and at least the number of streams. The consumer never takes
   * more messages than it can run.
   */
  concurrency?: number;
  /** How long one XREADGROUP waits for messages (default 5,000 ms). `stop()` interrupts it at once. */
  blockMs?: number;
  /** How often to look for messages abandoned by dead consumers (default: half the shortest visibility timeout). */
  reclaimIntervalMs?: number;
  /** How often at most to move due delayed messages to the stream (default 250 ms); it bounds delay precision. */
  delayedPollIntervalMs?: number;
  /** Cap of the task streams for retries (as the producer's `maxLength`); `null` never trims. */
  maxLength?: number | null;
  deadLetterMaxLength?: number;
  log: Logger;
}

/** Options of {@link StreamConsumer.stop}. */
export interface StopOptions {
  /** How long running handlers may take to finish before their `signal` aborts (default 30,000 ms). */
  timeoutMs?: number;
}
