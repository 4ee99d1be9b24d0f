import type { TScanRun } from "@opsc/contracts/discovery/runs";
import type { Selectable } from "kysely";
import type { ScanRunsTable } from "./runs.table.ts";

export type RunRow = Selectable<ScanRunsTable>;

export function toRunDto(row: RunRow, scanName: string): TScanRun {
  return {
    id: row.id,
    scanId: row.scan_id,
    scanName,
    status: row.status,
    trigger: row.trigger,
    ranges: row.ranges,
    ports: row.ports,
    timeoutMs: row.timeout_ms,
    concurrency: row.concurrency,
    reverseDns: row.reverse_dns,
    progress: {
      addressesTotal: row.addresses_total,
      addressesDone: row.addresses_done,
      probesTotal: row.probes_total,
      probesDone: row.probes_done,
      hostsFound: row.hosts_found,
    },
    error: row.error,
    cancelRequested: row.cancel_requested,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
