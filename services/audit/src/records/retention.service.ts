import { createHash } from "node:crypto";
import type { Logger } from "@opsc/logger";
import type { ObjectStore } from "@opsc/objectstore";
import { sql } from "kysely";
import type { AuditServiceDeps } from "../deps.ts";
import { toRecord } from "./records.service.ts";

/** Records per archive object at most. */
const ARCHIVE_RECORDS = 10_000;
/** pg_try_advisory_xact_lock key: one archiver at a time across replicas. */
const ARCHIVE_LOCK = 0x0a0d17;

export interface RetentionDeps extends Pick<AuditServiceDeps, "db"> {
  objectStore: ObjectStore;
  log: Logger;
}

/**
 * Moves the oldest records stored more than `retentionDays` ago to the object store, in seq order, as JSON Lines
 * of the stored records (hashes included), one object per batch. The archive's row keeps its first prev_hash and
 * last hash, so the chain stays verifiable across the boundary: the first record kept follows the last archive.
 * The object is written before the rows are deleted (a failure leaves the rows in place; an orphan object under a
 * key no archive row names is harmless). Returns how many records were archived.
 */
export async function archiveExpiredRecords(
  deps: RetentionDeps,
  options: { retentionDays: number; now?: Date },
): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000);
  let total = 0;
  for (;;) {
    const archived = await deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(${ARCHIVE_LOCK}) as locked`.execute(trx);
      if (!rows[0]?.locked) return 0;
      const candidates = await trx
        .selectFrom("records")
        .selectAll()
        .orderBy("seq")
        .limit(ARCHIVE_RECORDS)
        .execute();
      // A contiguous run from the oldest: the chain is archived in order, never with holes.
      const expired = [];
      for (const row of candidates) {
        if (row.stored_at >= cutoff) break;
        expired.push(row);
      }
      if (expired.length === 0) return 0;
      const first = expired[0]!;
      const last = expired[expired.length - 1]!;
      const text = expired.map((row) => `${JSON.stringify(toRecord(row))}\n`).join("");
      const key = `audit/archives/${String(first.seq).padStart(16, "0")}-${String(last.seq).padStart(16, "0")}.jsonl`;
      await deps.objectStore.put(key, text, { contentType: "application/x-ndjson" });
      await trx
        .insertInto("archives")
        .values({
          from_seq: first.seq,
          to_seq: last.seq,
          record_count: expired.length,
          first_prev_hash: first.prev_hash,
          last_hash: last.hash,
          object_key: key,
          sha256: createHash("sha256").update(text).digest("hex"),
        })
        .execute();
      await trx.deleteFrom("records").where("seq", "<=", last.seq).execute();
      return expired.length;
    });
    total += archived;
    if (archived < ARCHIVE_RECORDS) break;
  }
  if (total > 0) deps.log.info({ archived: total }, "archived audit records past retention");
  return total;
}
