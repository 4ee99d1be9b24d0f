import type { AuditOutboxTable, EventOutboxTable } from "@opsc/audit";
import type { ColumnType, Generated } from "kysely";

export const EXECUTION_SCHEMA = "execution";

export interface RunsTable {
  id: Generated<string>;
  name: string;
  state: string;
  action: ColumnType<unknown, string, string>;
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

export interface ExecutionDatabase {
  runs: RunsTable;
  tasks: TasksTable;
  log_chunks: LogChunksTable;
  artifacts: ArtifactsTable;
  audit_outbox: AuditOutboxTable;
  event_outbox: EventOutboxTable;
}
