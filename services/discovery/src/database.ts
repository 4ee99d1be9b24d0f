import type { AuditOutboxTable, EventOutboxTable } from "@opsc/audit";
import type { AllowedRangesTable } from "./ranges/ranges.table.ts";
import type { ScanResultsTable } from "./results/results.table.ts";
import type { ScanRunsTable } from "./runs/runs.table.ts";
import type { ScansTable } from "./scans/scans.table.ts";

export const DISCOVERY_SCHEMA = "discovery";

export interface DiscoveryDatabase {
  allowed_ranges: AllowedRangesTable;
  scans: ScansTable;
  scan_runs: ScanRunsTable;
  scan_results: ScanResultsTable;
  audit_outbox: AuditOutboxTable;
  event_outbox: EventOutboxTable;
}
