import type { Logger } from "@opsc/logger";
import type { ExecutionClientFactory } from "./execution-client.ts";
import { bytesArchived, objectsDeleted, pruneFailures, rowsPruned } from "./maintenance.metrics.ts";

/** Calls per pass at most: a pass ends even if a store keeps failing a run while others succeed. */
const MAX_CALLS = 1_000;

/**
 * Prunes old runs' logs: calls `maintenance.pruneLogs` until it reports nothing more to do (each call handles a batch
 * and stops after a few seconds) or the leader's signal aborts. Returns the runs done.
 */
export async function pruneLogsPass(
  execution: ExecutionClientFactory,
  log: Logger,
  signal: AbortSignal,
  batchSize: number,
): Promise<number> {
  let runs = 0;
  for (let call = 0; call < MAX_CALLS && !signal.aborted; call++) {
    const result = await execution().maintenance.pruneLogs.mutate({ limit: batchSize });
    runs += result.runs;
    rowsPruned.inc({ table: "log_chunks" }, result.chunksDeleted);
    bytesArchived.inc({ kind: "logs" }, result.bytesArchived);
    pruneFailures.inc({ kind: "logs" }, result.failed);
    if (!result.more) break;
  }
  if (runs > 0) log.info({ runs }, "moved old runs' logs to the object store");
  return runs;
}

/** Archives and deletes old runs, like {@link pruneLogsPass}, with `maintenance.pruneRuns`. */
export async function pruneRunsPass(
  execution: ExecutionClientFactory,
  log: Logger,
  signal: AbortSignal,
  batchSize: number,
): Promise<number> {
  let runs = 0;
  for (let call = 0; call < MAX_CALLS && !signal.aborted; call++) {
    const result = await execution().maintenance.pruneRuns.mutate({ limit: batchSize });
    runs += result.runs;
    rowsPruned.inc({ table: "runs" }, result.runs);
    rowsPruned.inc({ table: "tasks" }, result.tasksDeleted);
    rowsPruned.inc({ table: "artifacts" }, result.artifactsDeleted);
    rowsPruned.inc({ table: "log_chunks" }, result.chunksDeleted);
    bytesArchived.inc({ kind: "runs" }, result.bytesArchived);
    objectsDeleted.inc(result.objectsDeleted);
    pruneFailures.inc({ kind: "runs" }, result.failed);
    if (!result.more) break;
  }
  if (runs > 0) log.info({ runs }, "archived and deleted old runs");
  return runs;
}
