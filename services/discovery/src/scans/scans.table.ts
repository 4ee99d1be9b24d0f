import type { ColumnType, Generated } from "kysely";

/** jsonb arrays: written as JSON text, read back as arrays. */
export type JsonArray<T> = ColumnType<T[], string, string>;

export interface ScansTable {
  id: Generated<string>;
  name: string;
  description: string;
  ranges: JsonArray<string>;
  ports: JsonArray<number>;
  timeout_ms: number;
  concurrency: number;
  reverse_dns: boolean;
  address_count: number;
  schedule_cron: string | null;
  schedule_time_zone: string | null;
  next_run_at: Date | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
