import { z } from "zod";
import { ZTimestamp } from "../common.ts";
import { ZFolder, ZJobDefinition, ZJobName, ZJobTag } from "./definition.ts";

/** Wire schemas of the jobs service's definitions: list, get, create, update (a new version), delete, owner. */

export const ZJobId = z.uuid();
export const ZJobIdRequestSchema = z.strictObject({ id: ZJobId });

/** A "what changed" note saved with a version. */
export const ZVersionMessage = z.string().trim().max(500);

/** A folder path without the definition's default, for filters. */
export const ZFolderFilter = ZFolder.unwrap();

export const ZJobSummary = z.object({
  id: ZJobId,
  name: z.string(),
  folder: z.string(),
  tags: z.array(z.string()),
  /** The latest version's description. */
  description: z.string(),
  /** The user id of the job's owner (null: nobody). */
  owner: z.string().nullable(),
  latestVersion: z.number().int(),
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TJobSummary = z.infer<typeof ZJobSummary>;

export const ZJob = ZJobSummary.extend({
  /** The latest version's definition, defaults made explicit. */
  definition: ZJobDefinition,
  versionCount: z.number().int(),
});
export type TJob = z.output<typeof ZJob>;

export const ZListJobsRequestSchema = z.strictObject({
  /** Jobs in this folder or below it. */
  folder: ZFolderFilter.optional(),
  tag: ZJobTag.optional(),
  search: z.string().trim().max(100).optional().meta({ description: "name contains, case-insensitive" }),
  /** Jobs owned by this user id. */
  owner: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** From the previous page's `nextCursor`. */
  cursor: z.string().max(400).optional(),
});
export const ZJobFolder = z.object({ path: z.string(), jobs: z.number().int() });
export const ZListJobsResponseSchema = z.object({
  items: z.array(ZJobSummary),
  nextCursor: z.string().nullable(),
  /** Every folder that holds a job (whatever the filters), with its job count: the folder tree. */
  folders: z.array(ZJobFolder),
});

export const ZCreateJobRequestSchema = z.strictObject({
  name: ZJobName,
  definition: ZJobDefinition,
  message: ZVersionMessage.optional(),
});
export type TCreateJobRequest = z.input<typeof ZCreateJobRequestSchema>;

export const ZUpdateJobRequestSchema = z.strictObject({
  id: ZJobId,
  /** The version the edit started from; a save is refused (CONFLICT) when another version was saved since. */
  baseVersion: z.number().int().min(1),
  name: ZJobName.optional(),
  definition: ZJobDefinition,
  message: ZVersionMessage.optional(),
});
export type TUpdateJobRequest = z.input<typeof ZUpdateJobRequestSchema>;

export const ZUpdateJobResponseSchema = z.object({
  job: ZJob,
  /** The version this save made; null when nothing changed (no version is made). */
  newVersion: z.number().int().nullable(),
});

export const ZSetJobOwnerRequestSchema = z.strictObject({
  id: ZJobId,
  /** A user id, or null for no owner. */
  owner: z.string().min(1).max(64).nullable(),
});
