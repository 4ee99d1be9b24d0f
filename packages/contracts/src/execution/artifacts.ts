import { z } from "zod";
import { ZId, ZTimestamp } from "../common.ts";

/** A file a task saved, as the worker reports it in its `finished` report (the object is already stored). */
export const ZArtifactReport = z.object({
  /** Sanitized: `[A-Za-z0-9._-]`, no leading dot, at most 200 characters; unique within the task. */
  name: z.string().min(1).max(200),
  size: z.number().int().min(0),
  /** Lower-case hex SHA-256 of the stored bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string().min(1).max(255),
  /** The object store key (`artifacts/<runId>/<taskId>/<name>`). */
  key: z.string().min(1).max(1024),
});
export type TArtifactReport = z.infer<typeof ZArtifactReport>;

/** A task's saved file. Its bytes are at `downloadPath` (a plain authenticated GET; tRPC carries no bytes). */
export const ZArtifact = z.object({
  id: ZId,
  runId: ZId,
  taskId: ZId,
  targetName: z.string(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  contentType: z.string(),
  createdAt: ZTimestamp,
  /** `/api/v1/execution/artifacts/<id>/content`: the file, as an attachment. */
  downloadPath: z.string(),
});
export type TArtifact = z.infer<typeof ZArtifact>;

export const ZListArtifactsRequestSchema = z.strictObject({
  runId: z.string().uuid(),
  /** Only this task's files. */
  taskId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(200).optional(),
});

export const ZListArtifactsResponseSchema = z.object({
  items: z.array(ZArtifact),
  nextCursor: z.string().nullable(),
});
