import type { TOpenPort } from "@opsc/contracts/discovery/results";
import type { Generated } from "kysely";
import type { JsonArray } from "../scans/scans.table.ts";

export interface ScanResultsTable {
  run_id: string;
  /** inet; read back in PostgreSQL's canonical text form. */
  address: string;
  hostname: string | null;
  os_hint: string | null;
  ports: JsonArray<TOpenPort>;
  imported_target_id: string | null;
  seen_at: Generated<Date>;
}
