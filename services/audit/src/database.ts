import type { AuditOutboxTable } from "@opsc/audit";
import type { ArchivesTable, ChainHeadTable, RecordsTable } from "./records/records.table.ts";

export const AUDIT_SCHEMA = "audit";

export interface AuditDatabase {
  records: RecordsTable;
  chain_head: ChainHeadTable;
  archives: ArchivesTable;
  /** Every service has one (the runtime's relay reads it); the audit service records nothing in it today. */
  audit_outbox: AuditOutboxTable;
}
