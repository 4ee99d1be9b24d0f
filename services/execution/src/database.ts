import type { AuditOutboxTable, EventOutboxTable } from "@opsc/audit";
import type { TRunPlan, TRunTrigger } from "@opsc/contracts/execution/plan";
import type { ColumnType, Generated } from "kysely";

export const EXECUTION_SCHEMA = "execution";

export interface RunsTable {
  id: Generated<string>;
  name: string;
  state: string;
  /** An ad-hoc run's action; null for a plan run (its steps are in `plan`). */
  action: ColumnType<unknown, string | null, string | null>;
  run_on: string;
  selector: string | null;
  env: ColumnType<Record<string, string>, string, string>;
  sudo: boolean;
  timeout_seconds: number;
  fan_out: number | null;
  failure_threshold: ColumnType<{ count?: number; percent?: number } | null, string | null, string | null>;
  worker_group: string;
  exclusive: boolean;
  idempotency_key: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
  retry_of: string | null;
  cancel_requested_by: string | null;
  stop_reason: string | null;
  total: number;
  queued: number;
  running: Generated<number>;
  succeeded: Generated<number>;
  failed: Generated<number>;
  timed_out: Generated<number>;
  cancelled: Generated<number>;
  skipped: Generated<number>;
  /** The object key of the run's archived log, once written (see logs/archive.ts). */
  log_archive_key: Generated<string | null>;
  log_archived_at: Generated<Date | null>;
  /** When the log chunks left PostgreSQL for the object store (retention; see retention/ and log_segments). */
  logs_pruned_at: Generated<Date | null>;
  /** A job run's steps and strategy (TRunPlan); null for an ad-hoc run. */
  plan: ColumnType<TRunPlan | null, string | null, string | null>;
  job_id: string | null;
  job: ColumnType<{ id: string; name: string; version: number } | null, string | null, string | null>;
  /** The parameter values as shown (secrets masked). */
  parameters: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  /** Secret parameters, sealed with the vault: `{ NAME: sealed }`. */
  secret_env: ColumnType<Record<string, string> | null, string | null, string | null>;
  trigger: ColumnType<TRunTrigger | null, string | null, string | null>;
  parent_run_id: string | null;
  parent_task_id: string | null;
  /** The first run of a retry/resume chain (itself for a first run of a job; null for ad-hoc runs without retries). */
  root_run_id: string | null;
  retry_mode: string | null;
  concurrency: Generated<string>;
  /** Held back by the job's `queue` policy until the active run of the job ends. */
  held: Generated<boolean>;
  override_reason: string | null;
  /** Failed tasks whose step continues on error (they do not fail the run). */
  tolerated: Generated<number>;
  /** target-first with a fan-out: targets started so far, in target order. */
  started_targets: Generated<number>;
  /** step-first: the step running now. */
  current_step: Generated<number>;
}

export interface TasksTable {
  id: Generated<string>;
  run_id: string;
  /** The run's created_at, copied: the target history index orders by it. */
  run_created_at: Date;
  seq: number;
  target_id: string;
  target_name: string;
  target_address: string;
  target: ColumnType<unknown, string, string>;
  state: string;
  attempt: Generated<number>;
  enqueued_at: Date | null;
  exit_code: number | null;
  error: ColumnType<{ kind: string; message: string } | null, string | null, string | null>;
  cancel: ColumnType<unknown, string | null, string | null>;
  worker_id: string | null;
  output_bytes: ColumnType<string, number | undefined, number>;
  started_at: Date | null;
  finished_at: Date | null;
  step_index: Generated<number>;
  step_key: string | null;
  outputs: ColumnType<Record<string, string> | null, string | null, string | null>;
  /** Failed, but its step continues on error: the target goes on and the run does not fail for it. */
  tolerated: Generated<boolean>;
  /** Step retries used so far. */
  retries: Generated<number>;
  /** A retry waits until then before it is enqueued. */
  not_before: Date | null;
  skip_reason: string | null;
  /** The run a "run another job" step started. */
  child_run_id: string | null;
}

export interface LogChunksTable {
  run_id: string;
  offset_ms: ColumnType<string, number, number>;
  offset_seq: number;
  task_id: string;
  stream: string;
  data: string;
  at: Date | string;
}

export interface ArtifactsTable {
  id: Generated<string>;
  run_id: string;
  task_id: string;
  name: string;
  size: ColumnType<string, number, number>;
  sha256: string;
  content_type: string;
  object_key: string;
  created_at: Generated<Date>;
}

/** A pruned run's log chunks in the object store: one NDJSON object per row (see retention/log-segments.ts). */
export interface LogSegmentsTable {
  run_id: string;
  seq: number;
  object_key: string;
  first_offset_ms: ColumnType<string, number, number>;
  first_offset_seq: number;
  last_offset_ms: ColumnType<string, number, number>;
  last_offset_seq: number;
  chunks: number;
  bytes: ColumnType<string, number, number>;
  task_ids: string[];
}

/** What each kind of maintenance did last and in all (execution.maintenance.status). */
export interface MaintenancePassesTable {
  kind: string;
  last_at: Generated<Date>;
  last: ColumnType<Record<string, number>, string, string>;
  totals: ColumnType<Record<string, number>, string, string>;
}

export interface ExecutionDatabase {
  runs: RunsTable;
  tasks: TasksTable;
  log_chunks: LogChunksTable;
  artifacts: ArtifactsTable;
  log_segments: LogSegmentsTable;
  maintenance_passes: MaintenancePassesTable;
  audit_outbox: AuditOutboxTable;
  event_outbox: EventOutboxTable;
}
