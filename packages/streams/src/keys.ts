import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * Every Redis key of one task stream. All keys of a stream share `${prefix}:${stream}:` so that a prefix scan finds
 * them and a test's cleanup removes them.
 *
 * The keys carry no hash tag, so the Lua scripts that touch several of them need a single Redis (or a prefix that
 * is itself a hash tag, such as `{opsc}`) if Redis Cluster is ever used.
 */
export interface StreamKeys {
  /** The stream of messages waiting to be delivered or being processed (`XADD` / `XREADGROUP`). */
  stream: string;
  /** Messages that will not be retried, with the error that ended them. */
  deadLetter: string;
  /** Sorted set of messages due later (score: due time in ms on the Redis clock). */
  delayed: string;
  /** The key remembering the message id enqueued under an idempotency key. */
  idempotency(idempotencyKey: string): string;
}

/** The keys of `stream` under `prefix`: `${prefix}:${stream}:${kind}`. */
export function streamKeys(prefix: string, stream: string): StreamKeys {
  assertKeyPart("prefix", prefix);
  assertKeyPart("stream", stream);
  const base = `${prefix}:${stream}`;
  return {
    stream: `${base}:tasks`,
    deadLetter: `${base}:dead`,
    delayed: `${base}:delayed`,
    idempotency: (idempotencyKey) => `${base}:idempotency:${idempotencyKey}`,
  };
}

/** The key of a {@link LeaderLease} named `name` (for example `scheduler`). */
export function leaderKey(prefix: string, name: string): string {
  assertKeyPart("prefix", prefix);
  assertKeyPart("lease name", name);
  return `${prefix}:leader:${name}`;
}

/**
 * The consumer group of a worker: one group per consuming worker kind (for example `execution-worker`), shared by all
 * its replicas. A task stream has exactly one group, because retries and delays re-add messages to the stream itself,
 * which would deliver them to every group.
 */
export function consumerGroupName(worker: string): string {
  assertKeyPart("worker", worker);
  return worker;
}

/**
 * The execution path's other Redis keys, one place. Reports and log chunks go from workers to the service through
 * `reports` (one consumer group, the service); a run's output is also on its own live stream for tailing.
 */
export function executionKeys(prefix: string) {
  assertKeyPart("prefix", prefix);
  const base = `${prefix}:execution`;
  return {
    /** Workers' task reports and log chunks, consumed in batches by the execution service. */
    reports: `${base}:reports`,
    /** A run's live output (entry id = the chunk's offset); trimmed, and expired after the run. */
    liveLog: (runId: string) => `${base}:log:${runId}`,
    /** Pub/sub channel: `run:<id>` or `task:<id>` to cancel. */
    cancelChannel: `${base}:cancel`,
    /** Set while a run is being cancelled or stopped: workers skip its tasks that have not started. */
    runStopped: (runId: string) => `${base}:stopped:run:${runId}`,
    taskStopped: (taskId: string) => `${base}:stopped:task:${taskId}`,
    /** Held by the task running on a target when its run is exclusive. */
    targetLock: (targetId: string) => `${base}:lock:target:${targetId}`,
    /** Present while Redis still holds what the service enqueued; its absence means Redis lost its data. */
    epoch: `${base}:epoch`,
  };
}

/** The consumer group of the execution service on the reports stream. */
export const REPORTS_GROUP = "execution-service";

/** The consumer group of the execution workers on their task streams (`execution.<group>`). */
export const EXECUTION_WORKER_GROUP = consumerGroupName("execution-worker");

/** A consumer name unique to this process: `host-pid-random`, so a restarted replica never inherits a dead one's name. */
export function defaultConsumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

function assertKeyPart(what: string, value: string): void {
  // A ':' would make two different (prefix, stream) pairs map to one key; spaces and globs break SCAN-based cleanup.
  if (!/^[A-Za-z0-9_.{}-]+$/.test(value)) {
    throw new Error(
      `${what} must be letters, digits, '_', '.', '-', '{' or '}', got ${JSON.stringify(value)}`,
    );
  }
}
