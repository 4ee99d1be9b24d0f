import { type TAuditRecord, ZAuditRecord } from "@opsc/contracts";
import type { AuditServiceDeps } from "../deps.ts";
import { hashRecord } from "./chain.ts";
import { findStoredEventIds, insertRecords, lockChainHead, updateChainHead } from "./records.repository.ts";

/**
 * Appends records to the chain in one transaction, under the chain head's lock: each gets the next seq, the
 * previous record's hash and its own. A record whose event id is already stored (a redelivery, a republished
 * outbox row, a reconciliation) is skipped, so every record is stored once. Returns how many were appended.
 */
export async function appendRecords(
  deps: Pick<AuditServiceDeps, "db">,
  records: TAuditRecord[],
): Promise<number> {
  const unique = new Map<string, TAuditRecord>();
  for (const record of records) if (!unique.has(record.eventId)) unique.set(record.eventId, record);
  if (unique.size === 0) return 0;
  return deps.db.transaction().execute(async (trx) => {
    const head = await lockChainHead(trx);
    const stored = await findStoredEventIds(trx, [...unique.keys()]);
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const rows = [];
    for (const record of unique.values()) {
      if (stored.has(record.eventId)) continue;
      seq += 1;
      // Stored as timestamptz: the hash covers the form it reads back as.
      const content = { ...record, occurredAt: new Date(record.occurredAt).toISOString(), seq };
      const hash = hashRecord(prevHash, content);
      rows.push({
        seq: String(seq),
        event_id: content.eventId,
        service: content.service,
        occurred_at: new Date(content.occurredAt),
        actor_type: content.actorType,
        actor_id: content.actorId,
        api_key_id: content.apiKeyId,
        action: content.action,
        resource_type: content.resourceType,
        resource_id: content.resourceId,
        before: content.before ?? null,
        after: content.after ?? null,
        source_ip: content.sourceIp,
        request_id: content.requestId,
        prev_hash: prevHash,
        hash,
      });
      prevHash = hash;
    }
    if (rows.length === 0) return 0;
    await insertRecords(trx, rows);
    await updateChainHead(trx, { seq, hash: prevHash });
    return rows.length;
  });
}

/**
 * The audit record an events stream entry carries, or null for anything else: domain events share the stream and
 * are told apart by `type` (the relay publishes audit records as `audit.recorded`).
 */
export function auditRecordOfEntry(fields: string[]): TAuditRecord | null {
  const value = (name: string) => {
    for (let index = 0; index + 1 < fields.length; index += 2)
      if (fields[index] === name) return fields[index + 1];
    return undefined;
  };
  if (value("type") !== "audit.recorded") return null;
  const data = value("data");
  if (!data) return null;
  try {
    const parsed = ZAuditRecord.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
