import { createHash } from "node:crypto";
import type { TAuditRecord } from "@opsc/contracts";
import type { TStoredAuditRecord } from "@opsc/contracts/audit/records";
import canonicalize from "canonicalize";
import type { Selectable } from "kysely";
import type { RecordsTable } from "./records.table.ts";

/** The first record's prev_hash. */
export const GENESIS_HASH = "0".repeat(64);

/** What a record's hash covers: its place in the chain and everything the service recorded. */
export type ChainedContent = TAuditRecord & { seq: number };

/**
 * sha256(prevHash || canonical JSON of the content), hex. RFC 8785 canonical JSON: the same content always
 * hashes the same, whatever key order PostgreSQL's jsonb gives back.
 */
export function hashRecord(prevHash: string, content: ChainedContent): string {
  return createHash("sha256")
    .update(prevHash)
    .update(canonicalize(content) ?? "")
    .digest("hex");
}

/** The content of a stored row, as it was hashed when stored. */
export function contentOfRow(row: Selectable<RecordsTable>): ChainedContent {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    occurredAt: row.occurred_at.toISOString(),
    service: row.service,
    actorType: row.actor_type,
    actorId: row.actor_id,
    apiKeyId: row.api_key_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    before: row.before ?? null,
    after: row.after ?? null,
    sourceIp: row.source_ip,
    requestId: row.request_id,
  };
}

/** The content of a record as the API and the archives hold it (`TStoredAuditRecord`). */
export function contentOfStored(record: TStoredAuditRecord): ChainedContent {
  return {
    seq: record.seq,
    eventId: record.eventId,
    occurredAt: record.occurredAt,
    service: record.service,
    actorType: record.actorType,
    actorId: record.actorId,
    apiKeyId: record.apiKeyId,
    action: record.action,
    resourceType: record.resourceType,
    resourceId: record.resourceId,
    before: record.before ?? null,
    after: record.after ?? null,
    sourceIp: record.sourceIp,
    requestId: record.requestId,
  };
}
