import type { TRunStatus } from "@opsc/contracts/discovery/runs";
import type { Generated } from "kysely";
import type { JsonArray } from "../scans/scans.table.ts";

export interface ScanRunsTable {
  id: Generated<string>;
  scan_id: string;
  status: TRunStatus;
  trigger: "manual" | "schedule";
  ranges: JsonArray<string>;
  ports: JsonArray<number>;
  timeout_ms: number;
  concurrency: number;
  reverse_dns: boolean;
  addresses_total: Generated<number>;
  addresses_done: Generated<number>;
  probes_total: Generated<number>;
  probes_done: Generated<number>;
  hosts_found: Generated<number>;
  error: string | null;
  cancel_requested: Generated<boolean>;
  requested_by: string | null;
  scheduled_for: Date | null;
  enqueued_at: Date | null;
  worker_message_id: string | null;
  heartbeat_at: Date | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
}
