import type { AuditOutboxTable, EventOutboxTable } from "@opsc/audit";
import type { CredentialsTable } from "./credentials/credentials.table.ts";
import type { HealthChecksTable } from "./health/health.table.ts";
import type { TargetsTable } from "./targets/targets.table.ts";

export const TARGETS_SCHEMA = "targets";

export interface TargetsDatabase {
  targets: TargetsTable;
  credentials: CredentialsTable;
  health_checks: HealthChecksTable;
  audit_outbox: AuditOutboxTable;
  event_outbox: EventOutboxTable;
}
