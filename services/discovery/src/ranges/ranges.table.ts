import type { Generated } from "kysely";

export interface AllowedRangesTable {
  id: Generated<string>;
  cidr: string;
  family: 4 | 6;
  description: string;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
