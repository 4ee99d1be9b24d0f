import type { TCalendarScope, TCalendarWindow } from "@opsc/contracts/jobs/calendars";
import type { ColumnType, Generated } from "kysely";

/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface CalendarsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  time_zone: string;
  windows: Json<TCalendarWindow[]>;
  scope: Json<TCalendarScope>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
