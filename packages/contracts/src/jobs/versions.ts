import { z } from "zod";
import { ZTimestamp } from "../common.ts";
import { ZJobDefinition } from "./definition.ts";
import { ZJobId } from "./jobs.ts";

/** Wire schemas of a job's versions: every save is a version, never changed afterwards. */

export const ZJobVersionNumber = z.coerce.number().int().min(1);

export const ZJobVersionSummary = z.object({
  version: z.number().int(),
  /** What changed, as the editor wrote it. */
  message: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
});
export type TJobVersionSummary = z.infer<typeof ZJobVersionSummary>;

export const ZJobVersion = ZJobVersionSummary.extend({
  jobId: ZJobId,
  definition: ZJobDefinition,
});
export type TJobVersion = z.output<typeof ZJobVersion>;

export const ZListJobVersionsRequestSchema = z.strictObject({
  id: ZJobId,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Versions older than this one (the previous page's `nextBefore`). */
  before: ZJobVersionNumber.optional(),
});
export const ZListJobVersionsResponseSchema = z.object({
  items: z.array(ZJobVersionSummary),
  nextBefore: z.number().int().nullable(),
});

export const ZGetJobVersionRequestSchema = z.strictObject({ id: ZJobId, version: ZJobVersionNumber });

/**
 * A line diff: runs of lines that are in both texts, only in the old one (`removed`) or only in the new one
 * (`added`), in order. A side-by-side view puts removed lines left and added lines right.
 */
export const ZLineDiff = z.array(
  z.object({ type: z.enum(["unchanged", "added", "removed"]), lines: z.array(z.string()) }),
);
export type TLineDiff = z.infer<typeof ZLineDiff>;

export const ZDiffJobVersionsRequestSchema = z.strictObject({
  id: ZJobId,
  from: ZJobVersionNumber,
  to: ZJobVersionNumber,
});
export const ZDiffJobVersionsResponseSchema = z.object({
  /** Each version as the YAML document the job exports to. */
  from: z.object({ version: z.number().int(), yaml: z.string() }),
  to: z.object({ version: z.number().int(), yaml: z.string() }),
  changes: ZLineDiff,
  /** The same difference as a unified patch. */
  patch: z.string(),
});
