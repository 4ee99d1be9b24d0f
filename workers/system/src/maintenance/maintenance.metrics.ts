import { metricsRegistry } from "@opsc/server-kit/metrics";
import { Counter } from "prom-client";

/** Rows retention removed from the execution service's database, by table. */
export const rowsPruned = new Counter({
  name: "opsc_maintenance_rows_pruned_total",
  help: "Rows retention removed from PostgreSQL, by table (log_chunks, runs, tasks, artifacts)",
  labelNames: ["table"] as const,
  registers: [metricsRegistry],
});

/** Bytes retention wrote to the object store before removing rows: log segments and archives, run records. */
export const bytesArchived = new Counter({
  name: "opsc_maintenance_bytes_archived_total",
  help: "Bytes retention wrote to the object store, by kind (logs, runs)",
  labelNames: ["kind"] as const,
  registers: [metricsRegistry],
});

export const objectsDeleted = new Counter({
  name: "opsc_maintenance_objects_deleted_total",
  help: "Objects (artifacts, log archives and segments) deleted with the runs retention removed",
  registers: [metricsRegistry],
});

/** Runs a retention call left as they were (tried again later). */
export const pruneFailures = new Counter({
  name: "opsc_maintenance_prune_failures_total",
  help: "Runs a retention call could not prune this time, by kind (logs, runs)",
  labelNames: ["kind"] as const,
  registers: [metricsRegistry],
});

/** Stream entries trimmed, by kind of stream (events, dead_letters, queue). */
export const entriesTrimmed = new Counter({
  name: "opsc_maintenance_stream_entries_trimmed_total",
  help: "Redis stream entries trimmed (delivered and acknowledged by every group, past retention), by stream kind",
  labelNames: ["kind"] as const,
  registers: [metricsRegistry],
});

export const liveLogsDeleted = new Counter({
  name: "opsc_maintenance_live_logs_deleted_total",
  help: "Per-run live log streams deleted long after their last chunk",
  registers: [metricsRegistry],
});
