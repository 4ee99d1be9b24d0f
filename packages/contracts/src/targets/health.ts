import { z } from "zod";
import { ZHealthStatus, ZHttpOptions, ZTargetKind } from "./targets.ts";

/**
 * What a health-check worker needs to check a target without a database round trip. The credential travels
 * sealed (AES-256-GCM); only the worker that uses it opens it.
 */
export const ZHealthCheckTarget = z.object({
  id: z.string(),
  address: z.string(),
  port: z.number(),
  kind: ZTargetKind,
  http: ZHttpOptions.nullable(),
  expectedHostKey: z.object({ algorithm: z.string(), fingerprintSha256: z.string() }).nullable(),
  credential: z
    .object({
      id: z.string(),
      kind: z.string(),
      username: z.string().nullable(),
      headerName: z.string().nullable(),
      sealed: z.string(),
    })
    .nullable(),
});
export type THealthCheckTarget = z.infer<typeof ZHealthCheckTarget>;

export const ZClaimDueRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(5000),
  leaseMs: z.number().int().min(1000).max(3_600_000),
});
export const ZClaimDueResponseSchema = z.object({ items: z.array(ZHealthCheckTarget) });

export const ZHealthResult = z.object({
  targetId: z.string(),
  status: ZHealthStatus,
  latencyMs: z.number().nullable(),
  error: z.string().max(2000).nullable(),
  checkedAt: z.string(),
  /** SSH: the key the host presented; pinned when none is pinned yet. */
  observedHostKey: z.object({ algorithm: z.string(), fingerprintSha256: z.string() }).nullable(),
});
export type THealthResult = z.infer<typeof ZHealthResult>;

export const ZRecordResultsRequestSchema = z.strictObject({ results: z.array(ZHealthResult).max(5000) });
export const ZRecordResultsResponseSchema = z.object({
  recorded: z.number().int(),
  changed: z.number().int(),
});
