import type { ColumnType, Generated } from "kysely";

/** bigint columns come back from pg as strings. */
type BigIntColumn = ColumnType<string, number | string, number | string>;

export interface RecordsTable {
  seq: BigIntColumn;
  event_id: string;
  service: string;
  occurred_at: Date;
  actor_type: "user" | "api_key" | "system" | "anonymous";
  actor_id: string | null;
  api_key_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  before: unknown;
  after: unknown;
  source_ip: string | null;
  request_id: string | null;
  stored_at: Generated<Date>;
  prev_hash: string;
  hash: string;
}

export interface ChainHeadTable {
  id: number;
  seq: BigIntColumn;
  hash: string;
}

export interface ArchivesTable {
  to_seq: BigIntColumn;
  from_seq: BigIntColumn;
  record_count: number;
  first_prev_hash: string;
  last_hash: string;
  object_key: string;
  sha256: string;
  archived_at: Generated<Date>;
}
