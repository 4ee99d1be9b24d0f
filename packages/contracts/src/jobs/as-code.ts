import { z } from "zod";
import { ZFolderFilter, ZJobId } from "./jobs.ts";
import { ZLineDiff } from "./versions.ts";

/**
 * Jobs as code: a multi-document YAML file, one job per document (`name`, then the definition's fields with their
 * defaults written out). Exporting and importing the result again changes nothing.
 */

export const ZExportJobsRequestSchema = z.strictObject({
  /** Jobs in this folder or below it; all jobs when omitted. */
  folder: ZFolderFilter.optional(),
});
export const ZExportJobsResponseSchema = z.object({
  yaml: z.string(),
  count: z.number().int(),
});

export const ZImportJobsRequestSchema = z.strictObject({
  yaml: z.string().max(5_000_000),
  /** false: only the preview; true: apply every document in one transaction, or nothing when one is invalid. */
  apply: z.boolean().default(false),
});
export type TImportJobsRequest = z.input<typeof ZImportJobsRequestSchema>;

export const ZImportedJob = z.object({
  /** The document's index in the file, from 0. */
  document: z.number().int(),
  name: z.string(),
  action: z.enum(["create", "update", "unchanged"]),
  /** The job (null for a job still to create). */
  id: ZJobId.nullable(),
  /** The job's latest version: before the import in a preview, after it once applied (null: not created yet). */
  version: z.number().int().nullable(),
  /** An update's difference from the latest version, as YAML lines. */
  changes: ZLineDiff.nullable(),
});

export const ZImportJobsResponseSchema = z.object({
  applied: z.boolean(),
  jobs: z.array(ZImportedJob),
  /** Invalid documents: `path` names the document and the field, e.g. `documents[2].steps[0].key`. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
});
