/** What the system worker and the discovery service say to each other (internal router, never the gateway). */
import { z } from "zod";
import { ZHost } from "./results.ts";
import { ZRunProgress, ZRunStatus } from "./runs.ts";

/** The `discovery.scan` stream job: one per run; the worker fetches the definition when it starts. */
export const ZDiscoveryScanJobPayload = z.object({ runId: z.string().uuid() });

/** The stream message running the run: stable across its retries, so a retry may take the run over. */
const ZMessageId = z.string().min(1).max(128);

export const ZStartRunRequestSchema = z.strictObject({ runId: z.string().uuid(), messageId: ZMessageId });
export const ZScanSpec = z.object({
  runId: z.string(),
  ranges: z.array(z.string()),
  ports: z.array(z.number().int()),
  timeoutMs: z.number().int(),
  concurrency: z.number().int(),
  reverseDns: z.boolean(),
  /** The allowed ranges as they are now: the scanner refuses anything outside them, again. */
  allowedRanges: z.array(z.string()),
  maxAddresses: z.number().int(),
});
export type TScanSpec = z.infer<typeof ZScanSpec>;
export const ZStartRunResponseSchema = z.object({
  /** False when the run is finished, cancelled, refused, or being run by another worker: acknowledge and stop. */
  proceed: z.boolean(),
  status: ZRunStatus,
  reason: z.string().nullable(),
  spec: ZScanSpec.nullable(),
});

export const ZReportRunRequestSchema = z.strictObject({
  runId: z.string().uuid(),
  messageId: ZMessageId,
  hosts: z.array(ZHost).max(1000),
  progress: ZRunProgress,
});
export const ZReportRunResponseSchema = z.object({
  /** The run is no longer this worker's to report on (finished, or taken over). */
  accepted: z.boolean(),
  /** A user asked to cancel: stop scanning and finish as cancelled. */
  cancelRequested: z.boolean(),
});

export const ZFinishRunRequestSchema = z.strictObject({
  runId: z.string().uuid(),
  messageId: ZMessageId,
  outcome: z.enum(["completed", "failed", "cancelled"]),
  error: z.string().max(2000).nullable(),
  progress: ZRunProgress,
});
export const ZFinishRunResponseSchema = z.object({ status: ZRunStatus, newHosts: z.number().int() });

export const ZStartDueScansRequestSchema = z.strictObject({ limit: z.number().int().min(1).max(100) });
export const ZStartDueScansResponseSchema = z.object({
  started: z.array(z.object({ runId: z.string(), scanId: z.string(), scheduledFor: z.string() })),
  skipped: z.number().int(),
});

export const ZReapStaleRunsRequestSchema = z.strictObject({
  /** Running runs without a report for this long lost their worker (and its retries): failed. */
  heartbeatTimeoutMs: z.number().int().min(10_000).max(86_400_000),
  /** Queued runs not started after this long are enqueued again (the first message may be lost). */
  requeueAfterMs: z.number().int().min(10_000).max(86_400_000),
});
export const ZReapStaleRunsResponseSchema = z.object({
  failed: z.number().int(),
  requeued: z.number().int(),
});
