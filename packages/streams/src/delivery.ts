import type { Logger } from "@opsc/logger";
import type Redis from "ioredis";
import type { AckBatcher } from "./ack-batcher.ts";
import type { AnyJobDefinition, JobCatalog, JobHandlers, RetryBackoff } from "./catalog.ts";
import {
  DelayedError,
  describeIssues,
  MessageLostError,
  NonRetryableError,
  RetryAfterError,
} from "./errors.ts";
import type { HandlerContext } from "./handler-context.ts";
import type { StreamKeys } from "./keys.ts";
import type { LazyAbort } from "./lazy-abort.ts";
import { type DeadLetterReason, decodeMessage, encodeMessage, type TaskMessage } from "./message.ts";
import { countOutcome, type DeliveryOutcome, observeDuration } from "./metrics.ts";
import { heartbeatScript, settleScript } from "./scripts.ts";

/** One delivery of one stream entry to this consumer, with what it needs to run and settle it. */
export interface Delivery {
  redis: Redis;
  acks: AckBatcher;
  catalog: JobCatalog;
  handlers: JobHandlers<JobCatalog>;
  group: string;
  consumer: string;
  stream: string;
  keys: StreamKeys;
  entryId: string;
  fields: Record<string, string>;
  /** Deliveries of this entry so far, this one included (more than 1 after a reclaim). */
  deliveries: number;
  abort: LazyAbort;
  maxLength: string;
  deadLetterMaxLength: string;
  log: Logger;
  isStopping(): boolean;
  isStopped(): boolean;
}

const MAX_ERROR_LENGTH = 4_000;

/**
 * Runs one delivery to its end: the handler's success or failure decides between acknowledging, retrying (now or
 * later), delaying and dead-lettering. Only this function settles a message; handlers just throw. Never rejects
 * for a handler's error; rejects only when Redis fails while settling (the message then stays pending and is
 * reclaimed later).
 */
export async function runDelivery(delivery: Delivery): Promise<DeliveryOutcome> {
  const decoded = decodeMessage(delivery.fields);
  if ("error" in decoded) {
    const fields = Object.entries(delivery.fields).flat();
    return count(
      delivery,
      "unknown",
      await deadLetter(delivery, "unknown", fields, "malformed_message", decoded.error),
    );
  }
  const job = delivery.catalog[decoded.name];
  if (!job || job.stream !== delivery.stream) {
    const error = `no job ${decoded.name} in this consumer's catalog for stream ${delivery.stream}`;
    const outcome = await deadLetter(delivery, decoded.name, encodeMessage(decoded), "unknown_job", error);
    return count(delivery, "unknown", outcome);
  }
  // A reclaimed entry was delivered before: each lost delivery was an attempt.
  const message: TaskMessage = { ...decoded, attempt: decoded.attempt + delivery.deliveries - 1 };
  if (message.attempt > job.maxAttempts) {
    const error = `lost ${delivery.deliveries - 1} time(s) by consumers that held it past its ${job.visibilityTimeoutMs} ms visibility timeout`;
    return count(
      delivery,
      job.name,
      await deadLetter(delivery, job.name, encodeMessage(message), "max_attempts", error),
    );
  }
  const payload = parsePayload(job, message.payload);
  if (!payload.success) {
    const outcome = await deadLetter(
      delivery,
      job.name,
      encodeMessage(message),
      "invalid_payload",
      payload.error,
    );
    return count(delivery, job.name, outcome);
  }

  let childLog: Logger | undefined;
  const log = () => {
    childLog ??= delivery.log.child({ job: job.name, messageId: message.id, attempt: message.attempt });
    return childLog;
  };
  const context: HandlerContext = {
    attempt: message.attempt,
    maxAttempts: job.maxAttempts,
    messageId: message.id,
    entryId: delivery.entryId,
    enqueuedAt: message.enqueuedAt,
    // A getter, so the controller exists only for handlers that use it.
    get signal() {
      return delivery.abort.signal;
    },
    heartbeat: () => heartbeat(delivery),
    // A pino child per message costs at a thousand messages a second; most handlers never log.
    get log() {
      return log();
    },
  };

  const startedAt = performance.now();
  let failure: { error: unknown } | null = null;
  try {
    await delivery.handlers[job.name]!(payload.data, context);
  } catch (error) {
    failure = { error };
  }
  const seconds = (performance.now() - startedAt) / 1000;
  // The slot stays taken until the outcome is written, so Redis never holds more of this consumer's messages
  // than `concurrency` (overlapping the write with the next read measured no faster: the work is CPU-bound).
  const outcome = failure
    ? await settleFailure(delivery, job, message, failure.error, log)
    : await acknowledge(delivery, log);
  observeDuration(delivery.stream, job.name, outcome, seconds);
  return count(delivery, job.name, outcome);
}

/** Counts a delivery's outcome. Unknown job names are counted as "unknown" to keep label values bounded. */
function count(delivery: Delivery, job: string, outcome: DeliveryOutcome): DeliveryOutcome {
  countOutcome(delivery.stream, job, outcome);
  return outcome;
}

function parsePayload(
  job: AnyJobDefinition,
  json: string,
): { success: true; data: unknown } | { success: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { success: false, error: "payload is not valid JSON" };
  }
  const parsed = job.schema.safeParse(raw);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, error: describeIssues(parsed.error.issues) };
}

async function acknowledge(delivery: Delivery, log: () => Logger): Promise<DeliveryOutcome> {
  // After stop() returned, the caller may be closing Redis: a late finisher is left for reclaim (run twice).
  if (delivery.isStopped()) return "abandoned";
  try {
    await delivery.acks.ack(delivery.keys.stream, delivery.entryId);
    return "succeeded";
  } catch (error) {
    log().error({ err: error }, "acknowledging failed; the message will be reclaimed and run again");
    return "abandoned";
  }
}

async function settleFailure(
  delivery: Delivery,
  job: AnyJobDefinition,
  message: TaskMessage,
  error: unknown,
  log: () => Logger,
): Promise<DeliveryOutcome> {
  const { abort } = delivery;
  if (error instanceof MessageLostError || abort.reason instanceof MessageLostError) return "lost";
  // Aborted by the stop timeout: leave it pending, another consumer reclaims it.
  if (delivery.isStopped() || (abort.aborted && delivery.isStopping())) return "abandoned";

  if (error instanceof DelayedError) {
    return settle(delivery, "delayed", error.delayMs, encodeMessage(message), "delayed");
  }
  const reason = describeError(error);
  if (error instanceof NonRetryableError) {
    return deadLetter(delivery, job.name, encodeMessage(message), "non_retryable", reason, error);
  }
  if (message.attempt >= job.maxAttempts) {
    return deadLetter(delivery, job.name, encodeMessage(message), "max_attempts", reason, error);
  }
  const delayMs =
    error instanceof RetryAfterError ? error.delayMs : backoffDelayMs(job.backoff, message.attempt);
  log().warn({ err: error, retryInMs: delayMs }, "job attempt failed; retrying");
  const next = encodeMessage({ ...message, attempt: message.attempt + 1 });
  return delayMs > 0
    ? settle(delivery, "delayed", delayMs, next, "retried")
    : settle(delivery, "stream", delivery.maxLength, next, "retried");
}

async function deadLetter(
  delivery: Delivery,
  jobLabel: string,
  messageFields: string[],
  reason: DeadLetterReason,
  errorText: string,
  error?: unknown,
): Promise<DeliveryOutcome> {
  delivery.log.error(
    { err: error, job: jobLabel, entryId: delivery.entryId, reason, detail: errorText },
    "message dead-lettered",
  );
  const fields = [
    ...messageFields,
    "reason",
    reason,
    "error",
    errorText.slice(0, MAX_ERROR_LENGTH),
    "failedAt",
    String(Date.now()),
    "consumer",
    delivery.consumer,
    "sourceEntryId",
    delivery.entryId,
  ];
  return settle(delivery, "dead", delivery.deadLetterMaxLength, fields, "dead_lettered");
}

async function settle(
  delivery: Delivery,
  mode: "stream" | "delayed" | "dead",
  lengthOrDelay: string | number,
  fields: string[],
  outcome: DeliveryOutcome,
): Promise<DeliveryOutcome> {
  if (delivery.isStopped()) return "abandoned";
  const target =
    mode === "stream"
      ? delivery.keys.stream
      : mode === "delayed"
        ? delivery.keys.delayed
        : delivery.keys.deadLetter;
  const settled = await settleScript.run(
    delivery.redis,
    [delivery.keys.stream, target],
    [delivery.group, delivery.consumer, delivery.entryId, mode, lengthOrDelay, ...fields],
  );
  return settled === 1 ? outcome : "lost";
}

async function heartbeat(delivery: Delivery): Promise<void> {
  if (delivery.abort.reason instanceof MessageLostError) throw delivery.abort.reason;
  const owned = await heartbeatScript.run(
    delivery.redis,
    [delivery.keys.stream],
    [delivery.group, delivery.consumer, delivery.entryId],
  );
  if (owned !== 1) {
    const lost = new MessageLostError("another consumer reclaimed this message (or it was acknowledged)");
    delivery.abort.abort(lost);
    throw lost;
  }
}

function backoffDelayMs(backoff: RetryBackoff | undefined, attempt: number): number {
  if (!backoff) return 0;
  const exponential = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** (attempt - 1));
  // ±20 % jitter, so that tasks failing together do not come back together.
  return Math.round(exponential * (0.8 + Math.random() * 0.4));
}

function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
