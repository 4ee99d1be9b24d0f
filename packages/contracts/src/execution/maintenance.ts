import { z } from "zod";
import { ZTimestamp } from "../common.ts";

/**
 * Retention of runs and their logs (decision 0015): the system worker's maintenance module calls the execution
 * service's internal `maintenance.pruneLogs` and `maintenance.pruneRuns` until they report nothing more to do.
 */

/** One call does at most `limit` runs (and stops early after a few seconds); `more` says to call again. */
export const ZPruneRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(500).default(50),
});
export type TPruneRequest = z.input<typeof ZPruneRequestSchema>;

export const ZPruneLogsResponseSchema = z.object({
  /** Runs whose log chunks moved to the object store and left PostgreSQL. */
  runs: z.number().int(),
  chunksDeleted: z.number().int(),
  /** Bytes written to the object store (chunk segments and the rewritten text archive). */
  bytesArchived: z.number().int(),
  /** Runs left as they were this time (a chunk arrived meanwhile, the store failed); tried again next call. */
  failed: z.number().int(),
  /** More runs are due: call again. */
  more: z.boolean(),
});
export type TPruneLogsResponse = z.infer<typeof ZPruneLogsResponseSchema>;

export const ZPruneRunsResponseSchema = z.object({
  /** Runs archived as JSON (`archives/runs/<yyyy>/<mm>/<runId>.json`) and deleted. */
  runs: z.number().int(),
  tasksDeleted: z.number().int(),
  artifactsDeleted: z.number().int(),
  chunksDeleted: z.number().int(),
  /** Artifact objects, log archives and chunk segments removed from the object store. */
  objectsDeleted: z.number().int(),
  bytesArchived: z.number().int(),
  failed: z.number().int(),
  more: z.boolean(),
});
export type TPruneRunsResponse = z.infer<typeof ZPruneRunsResponseSchema>;

/** What one kind of maintenance did: its last call and everything since the counters began. */
export const ZMaintenancePass = z.object({
  lastAt: ZTimestamp,
  last: z.record(z.string(), z.number()),
  totals: z.record(z.string(), z.number()),
});

export const ZMaintenanceStatusResponseSchema = z.object({
  policy: z.object({
    /** Finished runs' logs move from PostgreSQL to the object store after this many days. */
    logRetentionDays: z.number().int(),
    /** Finished runs are archived as JSON and deleted after this many days. */
    runRetentionDays: z.number().int(),
  }),
  pruneLogs: ZMaintenancePass.nullable(),
  pruneRuns: ZMaintenancePass.nullable(),
});
export type TMaintenanceStatusResponse = z.infer<typeof ZMaintenanceStatusResponseSchema>;
