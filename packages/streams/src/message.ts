/**
 * The wire format of a task message: flat stream fields, so `XRANGE` in redis-cli stays readable and a dead letter
 * is the same fields plus the error.
 */
export interface TaskMessage {
  /** Stable id (UUID) kept across retries; the stream entry id changes with each re-enqueue. */
  id: string;
  name: string;
  /** The payload as JSON text, exactly as the producer validated it. */
  payload: string;
  attempt: number;
  /** Milliseconds since the epoch. */
  enqueuedAt: number;
}

/** Why a message ended in the dead-letter stream. */
export type DeadLetterReason =
  | "max_attempts"
  | "non_retryable"
  | "invalid_payload"
  | "unknown_job"
  | "malformed_message";

/** A dead-letter entry: the original fields (when they could be read) and why it ended. */
export interface DeadLetter {
  entryId: string;
  fields: Record<string, string>;
  reason: DeadLetterReason;
  error: string;
}

/** One stream entry as read from Redis. */
export interface StreamEntry {
  entryId: string;
  fields: Record<string, string>;
}

/** `[field, value, field, value, …]` for XADD. */
export function encodeMessage(message: TaskMessage): string[] {
  return [
    "id",
    message.id,
    "name",
    message.name,
    "payload",
    message.payload,
    "attempt",
    String(message.attempt),
    "enqueuedAt",
    String(message.enqueuedAt),
  ];
}

/** The message in `fields`, or why it is not one (a hand-written or foreign entry). */
export function decodeMessage(fields: Record<string, string>): TaskMessage | { error: string } {
  const { id, name, payload } = fields;
  const attempt = Number(fields.attempt);
  const enqueuedAt = Number(fields.enqueuedAt);
  if (!id || !name || payload === undefined) return { error: "message lacks id, name or payload" };
  if (!Number.isInteger(attempt) || attempt < 1) return { error: `bad attempt ${fields.attempt}` };
  return { id, name, payload, attempt, enqueuedAt: Number.isFinite(enqueuedAt) ? enqueuedAt : 0 };
}

/** Pairs a flat `[field, value, …]` reply into an object. */
export function fieldsToRecord(flat: readonly unknown[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2)
    record[String(flat[index])] = String(flat[index + 1]);
  return record;
}

/**
 * Parses an `XREADGROUP`/`XRANGE`-style reply (`[id, [f, v, …]]` per entry). Entries whose data was deleted while
 * they were pending come back as `[id, null]`; they are returned with `fields: null` so the caller can clear them.
 */
export function parseEntries(reply: unknown): { entryId: string; fields: Record<string, string> | null }[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((item) => {
    const [entryId, flat] = item as [string, unknown[] | null];
    return { entryId, fields: flat ? fieldsToRecord(flat) : null };
  });
}

/**
 * Parses an `XREADGROUP` reply over several streams; `null` (the BLOCK timed out) gives an empty list. The shape
 * depends on the protocol, because `redis.call()` skips ioredis's per-command reply transformers: RESP2 gives
 * `[[key, entries], …]`, RESP3 (ioredis 6's default) a map, which arrives flat (`[key, entries, key, entries]`)
 * with the default "legacy" reply mapping, or as an object with "resp3" mapping.
 */
export function parseReadReply(
  reply: unknown,
): { streamKey: string; entries: { entryId: string; fields: Record<string, string> | null }[] }[] {
  let pairs: [string, unknown][];
  if (Array.isArray(reply)) {
    if (reply.length > 0 && !Array.isArray(reply[0])) {
      pairs = [];
      for (let index = 0; index + 1 < reply.length; index += 2) {
        pairs.push([String(reply[index]), reply[index + 1]]);
      }
    } else {
      pairs = reply as [string, unknown][];
    }
  } else if (reply && typeof reply === "object") {
    pairs = Object.entries(reply);
  } else {
    return [];
  }
  return pairs.map(([streamKey, entries]) => ({
    streamKey: String(streamKey),
    entries: parseEntries(entries),
  }));
}
