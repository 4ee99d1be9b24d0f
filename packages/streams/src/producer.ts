import type Redis from "ioredis";
import type { EnqueueableJobName, JobCatalog, JobInput } from "./catalog.ts";
import { InvalidPayloadError } from "./errors.ts";
import { streamKeys } from "./keys.ts";
import { encodeMessage, type TaskMessage } from "./message.ts";
import { enqueueScript } from "./scripts.ts";

/**
 * Default approximate cap of a task stream. Consumers delete entries once acknowledged, so a stream holds only its
 * backlog and the cap is a guard against a runaway producer, not a retention setting. The cap cannot tell delivered
 * entries from waiting ones (Redis 7.0 trims by position only): a backlog beyond it loses its oldest messages, which
 * the reconciler re-enqueues from PostgreSQL. Hence large: about 1 GB of Redis at 1 KB per message.
 */
export const DEFAULT_STREAM_MAX_LENGTH = 1_000_000;

/** How long an idempotency key is remembered by default: a retried request within a day gets the first message. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Options of {@link createProducer}. */
export interface ProducerOptions<Catalog extends JobCatalog> {
  /** A connection without `keyPrefix` (keys already carry `prefix`). */
  redis: Redis;
  prefix: string;
  catalog: Catalog;
  /** Approximate cap (`XADD MAXLEN ~`) of each task stream; `null` never trims. See {@link DEFAULT_STREAM_MAX_LENGTH}. */
  maxLength?: number | null;
  idempotencyTtlMs?: number;
}

/** Options of one {@link Producer.enqueue}. */
export interface EnqueueOptions {
  /** A second enqueue with the same key (per stream, within `idempotencyTtlMs`) adds nothing and returns the first id. */
  idempotencyKey?: string;
  /** Deliver no sooner than this many milliseconds from now (measured on the Redis clock). */
  delayMs?: number;
}

/** The outcome of {@link Producer.enqueue}. */
export interface EnqueueResult {
  /** The message id; for a duplicate, the id of the message first enqueued under the idempotency key. */
  messageId: string;
  isDuplicate: boolean;
}

/** Adds messages for a catalog's jobs to their streams. */
export interface Producer<Catalog extends JobCatalog> {
  /** Validates `payload` against the job's schema (throwing {@link InvalidPayloadError}) and adds one message. */
  enqueue<Name extends EnqueueableJobName<Catalog>>(
    name: Name,
    payload: JobInput<Catalog, Name>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>;
  /**
   * Validates every payload first (nothing is added if one is invalid), then adds them all in one pipelined round
   * trip. Returns the message ids in order. Not atomic: on a Redis error some may have been added.
   */
  enqueueMany<Name extends EnqueueableJobName<Catalog>>(
    name: Name,
    payloads: readonly JobInput<Catalog, Name>[],
  ): Promise<string[]>;
}

/** Creates a {@link Producer} for `catalog`. */
export function createProducer<Catalog extends JobCatalog>(
  options: ProducerOptions<Catalog>,
): Producer<Catalog> {
  const { redis, prefix, catalog } = options;
  assertNoKeyPrefix(redis);
  const maxLength = String(options.maxLength === null ? 0 : (options.maxLength ?? DEFAULT_STREAM_MAX_LENGTH));
  const idempotencyTtlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;

  const toMessage = (name: string, payload: unknown): TaskMessage => {
    const job = catalog[name];
    if (!job) throw new Error(`unknown job ${name}`);
    // Producers are built from the same catalog as handlers; a deprecated name here is a bug, not a rollout state.
    if (job.deprecated) throw new Error(`job ${name} is deprecated and accepts no new messages`);
    const parsed = job.schema.safeParse(payload);
    if (!parsed.success) throw new InvalidPayloadError(name, parsed.error.issues, { cause: parsed.error });
    return {
      id: crypto.randomUUID(),
      name,
      // The input, not the parsed output: the consumer parses again, so transforms and defaults apply once.
      payload: JSON.stringify(payload) ?? "null",
      attempt: 1,
      enqueuedAt: Date.now(),
    };
  };

  return {
    async enqueue(name, payload, enqueueOptions = {}) {
      const message = toMessage(name, payload);
      const keys = streamKeys(prefix, catalog[name]!.stream);
      const { idempotencyKey, delayMs = 0 } = enqueueOptions;
      if (!Number.isFinite(delayMs) || delayMs < 0)
        throw new RangeError(`delayMs must be ≥ 0, got ${delayMs}`);
      if (idempotencyKey === undefined && delayMs === 0) {
        // The hot path: a plain XADD, no script.
        await addToStream(redis, keys.stream, maxLength, encodeMessage(message));
        return { messageId: message.id, isDuplicate: false };
      }
      if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 256)) {
        throw new RangeError("idempotencyKey must be 1 to 256 characters");
      }
      const reply = (await enqueueScript.run(
        redis,
        [keys.stream, keys.delayed, keys.idempotency(idempotencyKey ?? "")],
        [
          maxLength,
          Math.ceil(delayMs),
          idempotencyKey === undefined ? 0 : idempotencyTtlMs,
          message.id,
          ...encodeMessage(message),
        ],
      )) as [number, string];
      return { messageId: reply[1], isDuplicate: reply[0] === 0 };
    },

    async enqueueMany(name, payloads) {
      const messages = payloads.map((payload) => toMessage(name, payload));
      if (messages.length === 0) return [];
      const stream = streamKeys(prefix, catalog[name]!.stream).stream;
      const pipeline = redis.pipeline();
      for (const message of messages) {
        if (maxLength === "0") pipeline.xadd(stream, "*", ...encodeMessage(message));
        else pipeline.xadd(stream, "MAXLEN", "~", maxLength, "*", ...encodeMessage(message));
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
      return messages.map((message) => message.id);
    },
  };
}

async function addToStream(redis: Redis, stream: string, maxLength: string, fields: string[]): Promise<void> {
  if (maxLength === "0") await redis.xadd(stream, "*", ...fields);
  else await redis.xadd(stream, "MAXLEN", "~", maxLength, "*", ...fields);
}

/** Keys are built with the prefix already; an ioredis `keyPrefix` would prefix them twice, and only some of them. */
export function assertNoKeyPrefix(redis: Redis): void {
  if (redis.options.keyPrefix) {
    throw new Error("@opsc/streams needs a Redis connection without keyPrefix; pass the prefix as `prefix`");
  }
}
