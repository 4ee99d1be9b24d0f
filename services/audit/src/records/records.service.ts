import type {
  TAuditRecordFilters,
  TStoredAuditRecord,
  TStoredAuditRecordSummary,
} from "@opsc/contracts/audit/records";
import { notFound } from "@opsc/server-kit";
import type { Selectable } from "kysely";
import type { AuditServiceDeps } from "../deps.ts";
import { findBySeq, listFiltered } from "./records.repository.ts";
import type { RecordsTable } from "./records.table.ts";

export function toSummary(row: Selectable<RecordsTable>): TStoredAuditRecordSummary {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    occurredAt: row.occurred_at.toISOString(),
    storedAt: row.stored_at.toISOString(),
    service: row.service,
    actorType: row.actor_type,
    actorId: row.actor_id,
    apiKeyId: row.api_key_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    sourceIp: row.source_ip,
    requestId: row.request_id,
    hash: row.hash,
  };
}

export function toRecord(row: Selectable<RecordsTable>): TStoredAuditRecord {
  return { ...toSummary(row), before: row.before ?? null, after: row.after ?? null, prevHash: row.prev_hash };
}

export async function listRecords(
  deps: Pick<AuditServiceDeps, "db">,
  input: TAuditRecordFilters & { limit: number; cursor?: number },
) {
  const { limit, cursor, ...filters } = input;
  const rows = await listFiltered(deps.db, filters, { beforeSeq: cursor, limit: limit + 1 });
  const items = rows.slice(0, limit).map(toSummary);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.seq : null };
}

export async function getRecord(
  deps: Pick<AuditServiceDeps, "db">,
  seq: number,
): Promise<TStoredAuditRecord> {
  const row = await findBySeq(deps.db, seq);
  if (!row) throw notFound("audit record");
  return toRecord(row);
}

/** Every matching record, newest first, a page at a time: the exports stream this. */
export async function* iterateRecords(
  deps: Pick<AuditServiceDeps, "db">,
  filters: TAuditRecordFilters,
  pageSize = 500,
): AsyncGenerator<TStoredAuditRecord> {
  let beforeSeq: number | undefined;
  for (;;) {
    const rows = await listFiltered(deps.db, filters, { beforeSeq, limit: pageSize });
    for (const row of rows) yield toRecord(row);
    if (rows.length < pageSize) return;
    beforeSeq = Number(rows[rows.length - 1]!.seq);
  }
}
