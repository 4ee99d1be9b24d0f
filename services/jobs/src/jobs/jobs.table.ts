import type { ColumnType, Generated } from "kysely";

export interface JobsTable {
  id: Generated<string>;
  name: string;
  folder: string;
  tags: string[];
  /** A user id (auth service). */
  owner: string | null;
  latest_version: number;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface JobVersionsTable {
  job_id: string;
  version: number;
  /** The `ZJobDefinition` output: written as JSON text, read back as an object. */
  definition: ColumnType<unknown, string, never>;
  message: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}
