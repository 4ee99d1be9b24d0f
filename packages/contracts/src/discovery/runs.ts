import { z } from "zod";
import { ZPageRequest, ZTimestamp } from "../common.ts";
import { ZDiscoveryId } from "./common.ts";

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export const ZRunStatus = z.enum(RUN_STATUSES);
export type TRunStatus = z.infer<typeof ZRunStatus>;
/** States a run does not leave. */
export const FINAL_RUN_STATUSES: readonly TRunStatus[] = ["completed", "failed", "cancelled"];

export const ZRunProgress = z.object({
  addressesTotal: z.number().int().min(0),
  addressesDone: z.number().int().min(0),
  probesTotal: z.number().int().min(0),
  probesDone: z.number().int().min(0),
  hostsFound: z.number().int().min(0),
});
export type TRunProgress = z.infer<typeof ZRunProgress>;

/** What a scan shows of its latest run. */
export const ZScanRunSummary = z.object({
  id: z.string(),
  status: ZRunStatus,
  hostsFound: z.number().int(),
  createdAt: ZTimestamp,
  finishedAt: ZTimestamp.nullable(),
});

export type TScanRunSummary = z.infer<typeof ZScanRunSummary>;

export const ZScanRun = z.object({
  id: z.string(),
  scanId: z.string(),
  scanName: z.string(),
  status: ZRunStatus,
  trigger: z.enum(["manual", "schedule"]),
  /** The definition as it was when the run was requested. */
  ranges: z.array(z.string()),
  ports: z.array(z.number().int()),
  timeoutMs: z.number().int(),
  concurrency: z.number().int(),
  reverseDns: z.boolean(),
  progress: ZRunProgress,
  error: z.string().nullable(),
  cancelRequested: z.boolean(),
  requestedBy: z.string().nullable(),
  createdAt: ZTimestamp,
  startedAt: ZTimestamp.nullable(),
  finishedAt: ZTimestamp.nullable(),
});
export type TScanRun = z.infer<typeof ZScanRun>;

export const ZListRunsRequestSchema = z.strictObject({
  scanId: ZDiscoveryId.optional(),
  status: ZRunStatus.optional(),
  ...ZPageRequest,
});
export const ZListRunsResponseSchema = z.object({ items: z.array(ZScanRun), total: z.number().int() });
