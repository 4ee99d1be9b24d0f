import { z } from "zod";
import { ZStartPlanRunResponse } from "../execution/plan.ts";
import { ZJobId } from "./jobs.ts";
import { ZJobVersionNumber } from "./versions.ts";

/** Starting a run of a job version: the values are checked against its parameters (choices as offered now). */
export const ZRunJobRequestSchema = z.strictObject({
  id: ZJobId,
  /** The latest version when omitted. */
  version: ZJobVersionNumber.optional(),
  /** Values by parameter name; missing ones take their default. */
  parameters: z.record(z.string(), z.unknown()).default({}),
  /** Why the job runs inside a blackout window (required there; audited). */
  overrideReason: z.string().trim().min(1).max(500).optional(),
  /** A retried start with the same key (same caller) returns the first run instead of starting another. */
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type TRunJobRequest = z.input<typeof ZRunJobRequestSchema>;

/** The execution service's answer: started, queued behind an active run, or skipped (concurrency policy). */
export const ZRunJobResponseSchema = ZStartPlanRunResponse;
export type TRunJobResponse = z.infer<typeof ZRunJobResponseSchema>;
