import type Redis from "ioredis";
import type { JobCatalog } from "./catalog.ts";
import { parseEntries } from "./message.ts";

/** An entry claimed from a consumer that held it past its job's visibility timeout. */
export interface ReclaimedEntry {
  entryId: string;
  fields: Record<string, string>;
  /** Deliveries so far, this one included. */
  deliveries: number;
}

/** The outcome of one {@link reclaimEntries} pass. */
export interface ReclaimResult {
  claimed: ReclaimedEntry[];
  /** Pending entries whose data had been trimmed away (the stream cap was too small): acknowledged and gone. */
  trimmedCount: number;
}

/** What {@link reclaimEntries} needs. */
export interface ReclaimOptions {
  redis: Redis;
  streamKey: string;
  group: string;
  consumer: string;
  catalog: JobCatalog;
  /** The shortest visibility timeout of the stream's jobs: nothing idle for less can be due. */
  minIdleMs: number;
  /** Claim at most this many (the consumer's free slots). */
  limit: number;
  /** Entries this consumer is running now; never reclaimed from itself. */
  isRunning(entryId: string): boolean;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 10;

/**
 * Claims entries idle past *their own job's* visibility timeout. XAUTOCLAIM takes one idle time for the whole
 * stream, which would steal a long job's message from a healthy consumer as soon as the stream's shortest timeout
 * passed; so this lists idle candidates with `XPENDING … IDLE`, reads their job names, and claims each with XCLAIM
 * and its job's timeout as the minimum idle time. XCLAIM checks that time atomically, so two reclaimers (or a
 * heartbeat racing a reclaimer) never both win. The common case, nothing idle, costs one XPENDING.
 */
export async function reclaimEntries(options: ReclaimOptions): Promise<ReclaimResult> {
  const { redis, streamKey, group, consumer, catalog, minIdleMs, limit } = options;
  const claimed: ReclaimedEntry[] = [];
  const trimmed: string[] = [];
  let start = "-";
  for (let page = 0; page < MAX_PAGES && claimed.length < limit; page++) {
    const rows = (await redis.call(
      "XPENDING",
      streamKey,
      group,
      "IDLE",
      minIdleMs,
      start,
      "+",
      PAGE_SIZE,
    )) as [string, string, number, number][];
    const candidates = rows.filter(([entryId]) => !options.isRunning(entryId));
    if (candidates.length > 0) {
      const ranges = await redis
        .pipeline(candidates.map(([entryId]) => ["xrange", streamKey, entryId, entryId]))
        .exec();
      const claims: { entryId: string; minIdleMs: number; deliveries: number }[] = [];
      candidates.forEach(([entryId, , idleMs, deliveries], index) => {
        const [error, reply] = ranges?.[index] ?? [null, []];
        if (error) return;
        const entry = parseEntries(reply)[0];
        if (!entry?.fields) {
          trimmed.push(entryId);
          return;
        }
        const job = entry.fields.name ? catalog[entry.fields.name] : undefined;
        // An unknown job has no timeout of its own: the stream's shortest one applies (it will be dead-lettered).
        const timeoutMs = job?.visibilityTimeoutMs ?? minIdleMs;
        if (idleMs >= timeoutMs) claims.push({ entryId, minIdleMs: timeoutMs, deliveries });
      });
      const chosen = claims.slice(0, limit - claimed.length);
      if (chosen.length > 0) {
        const results = await redis
          .pipeline(
            chosen.map((claim) => ["xclaim", streamKey, group, consumer, claim.minIdleMs, claim.entryId]),
          )
          .exec();
        chosen.forEach((claim, index) => {
          const [error, reply] = results?.[index] ?? [null, []];
          if (error || !Array.isArray(reply) || reply.length === 0) return; // someone else got it, or it was acked
          const fields = parseEntries(reply)[0]?.fields;
          // XCLAIM (without JUSTID) counted one more delivery.
          if (fields) claimed.push({ entryId: claim.entryId, fields, deliveries: claim.deliveries + 1 });
        });
      }
    }
    if (rows.length < PAGE_SIZE) break;
    start = `(${rows[rows.length - 1]![0]}`;
  }
  // Acknowledging an entry that an owner acked and deleted meanwhile returns 0, so only real losses count.
  const trimmedCount = trimmed.length > 0 ? Number(await redis.xack(streamKey, group, ...trimmed)) : 0;
  return { claimed, trimmedCount };
}
