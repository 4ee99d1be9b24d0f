import type { Logger } from "@opsc/logger";

/** What a handler gets besides its payload. */
export interface HandlerContext {
  /** 1 for the first attempt; a message reclaimed from a lost consumer counts that consumer's attempt too. */
  attempt: number;
  maxAttempts: number;
  /** Stable across retries and re-deliveries: use it (or a key in the payload) to make side effects idempotent. */
  messageId: string;
  /** The stream entry being processed; it changes on each retry. */
  entryId: string;
  /** Milliseconds since the epoch when the message was first enqueued. */
  enqueuedAt: number;
  /**
   * Aborted when the consumer stops and the grace period is over, or when `heartbeat()` finds that another
   * consumer has reclaimed the message. Pass it to I/O so the handler returns promptly.
   */
  signal: AbortSignal;
  /**
   * Resets the message's idle time so that no other consumer reclaims it. Call it well within the job's
   * `visibilityTimeoutMs` (every third of it, say) while a long step runs. Rejects, and aborts `signal`, when the
   * message is no longer this consumer's.
   */
  heartbeat(): Promise<void>;
  /** A child logger bound to the job, message id and attempt. */
  log: Logger;
}
