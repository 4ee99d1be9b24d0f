import type Redis from "ioredis";
import { streamKeys } from "./keys.ts";
import { type DeadLetter, type DeadLetterReason, parseEntries } from "./message.ts";

/** Options of {@link listDeadLetters}. */
export interface ListDeadLettersOptions {
  redis: Redis;
  prefix: string;
  stream: string;
  /** At most this many, oldest first (default 100). */
  count?: number;
}

/** Reads a stream's dead letters, oldest first: the original message fields, the reason and the error. */
export async function listDeadLetters(options: ListDeadLettersOptions): Promise<DeadLetter[]> {
  const key = streamKeys(options.prefix, options.stream).deadLetter;
  const reply = await options.redis.xrange(key, "-", "+", "COUNT", options.count ?? 100);
  return parseEntries(reply).flatMap(({ entryId, fields }) =>
    fields ? [{ entryId, fields, reason: fields.reason as DeadLetterReason, error: fields.error ?? "" }] : [],
  );
}
