import type { Logger } from "@opsc/logger";
import type { ExecutionClientFactory } from "./execution-client.ts";
import { bytesArchived, objectsDeleted, pruneFailures, rowsPruned } from "./maintenance.metrics.ts";

/** What a retention pass works with: `signal` is the leader's, aborted when leadership ends. */
export interface RetentionPass {
  execution: ExecutionClientFactory;
  log: Logger;
  signal: AbortSignal;
  batchSize: number;
}

/** Calls per pass at most: a pass ends even if a store keeps failing a run while others succeed. */
const MAX_CALLS = 1_000;

/**
 * Calls `prune` (one batch) until it reports nothing more to do, the leader's signal aborts or {@link MAX_CALLS} is
 * reached. Returns the runs done, summed over the calls.
 */
async function repeatUntilDone(
  signal: AbortSignal,
  prune: () => Promise<{ runs: number; more: boolean }>,
): Promise<number> {
  let runs = 0;
  for (let call = 0; call < MAX_CALLS && !signal.aborted; call++) {
    const result = await prune();
    runs += result.runs;
    if (!result.more) break;
  }
  return runs;
}

/**
 * Prunes old runs' logs: calls `maintenance.pruneLogs` until it reports nothing more to do (each call handles a batch
 * and stops after a few seconds) or the leader's signal aborts. Returns the runs done.
 */
export async function pruneLogsPass({ execution, log, signal, batchSize }: RetentionPass): Promise<number> {
  const runs = await repeatUntilDone(signal, async () => {
    const result = await execution().maintenance.pruneLogs.mutate({ limit: batchSize });
    rowsPruned.inc({ table: "log_chunks" }, result.chunksDeleted);
    bytesArchived.inc({ kind: "logs" }, result.bytesArchived);
    pruneFailures.inc({ kind: "logs" }, result.failed);
    return result;
  });
  if (runs > 0) log.info({ runs }, "moved old runs' logs to the object store");
  return runs;
}

/** Archives and deletes old runs, like {@link pruneLogsPass}, with `maintenance.pruneRuns`. */
export async function pruneRunsPass({ execution, log, signal, batchSize }: RetentionPass): Promise<number> {
  const runs = await repeatUntilDone(signal, async () => {
    const result = await execution().maintenance.pruneRuns.mutate({ limit: batchSize });
    rowsPruned.inc({ table: "runs" }, result.runs);
    rowsPruned.inc({ table: "tasks" }, result.tasksDeleted);
    rowsPruned.inc({ table: "artifacts" }, result.artifactsDeleted);
    rowsPruned.inc({ table: "log_chunks" }, result.chunksDeleted);
    bytesArchived.inc({ kind: "runs" }, result.bytesArchived);
    objectsDeleted.inc(result.objectsDeleted);
    pruneFailures.inc({ kind: "runs" }, result.failed);
    return result;
  });
  if (runs > 0) log.info({ runs }, "archived and deleted old runs");
  return runs;
}
