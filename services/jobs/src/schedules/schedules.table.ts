import type { TFireOutcome, TScheduleKind } from "@opsc/contracts/jobs/schedules";
import type { ColumnType, Generated } from "kysely";

/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string | undefined, string>;

export interface SchedulesTable {
  id: string;
  job_id: string;
  name: string;
  kind: TScheduleKind;
  cron: string | null;
  time_zone: Generated<string>;
  at: Date | null;
  interval_seconds: number | null;
  anchor_at: Generated<Date>;
  parameters: Json<Record<string, unknown>>;
  /** Sealed JSON object of the secret parameter values (vault owner: the schedule's id). */
  secret_parameters: string | null;
  secret_parameter_names: ColumnType<string[], string[] | undefined, string[]>;
  paused: Generated<boolean>;
  misfire_policy: "skip" | "run-once";
  blackout_policy: "skip" | "hold";
  next_fire_at: Date | null;
  held_until: Date | null;
  last_fired_at: Date | null;
  last_outcome: TFireOutcome | null;
  owner: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ScheduleFiresTable {
  schedule_id: string;
  slot: Date;
  outcome: TFireOutcome;
  run_id: string | null;
  reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
