import type { THost } from "@opsc/contracts/discovery/results";
import type { Selectable } from "kysely";
import type { ScanResultsTable } from "./results.table.ts";

export type ResultRow = Selectable<ScanResultsTable>;

export function toHost(row: ResultRow): THost {
  return { address: row.address, hostname: row.hostname, osHint: row.os_hint, ports: row.ports };
}
