import { z } from "zod";
import { ZId } from "../common.ts";
import { ZHostKey } from "./targets.ts";

export const CONNECTION_ERROR_KINDS = [
  "dns",
  "refused",
  "timeout",
  "auth",
  "host_key_mismatch",
  "tls",
  "http_status",
  "protocol",
  "no_credential",
] as const;

export const ZConnectionTestRequestSchema = z.strictObject({ id: ZId });
export const ZConnectionTestResponseSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.object({ kind: z.enum(CONNECTION_ERROR_KINDS), message: z.string() }).nullable(),
  /** SSH: the host key the server presented, and whether it was pinned by this test. */
  hostKey: z
    .object({ algorithm: z.string(), fingerprintSha256: z.string(), pinnedNow: z.boolean() })
    .nullable(),
  /** SSH: the server's version banner; HTTP: the status code. */
  detail: z.string().nullable(),
});
export type TConnectionTestResponse = z.infer<typeof ZConnectionTestResponseSchema>;

export const ZRepinHostKeyRequestSchema = z.strictObject({ id: ZId });
export const ZRepinHostKeyResponseSchema = z.object({
  previous: ZHostKey.nullable(),
  current: ZHostKey,
});

export const ZHealthHistoryRequestSchema = z.strictObject({
  id: ZId,
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export const ZHealthHistoryResponseSchema = z.object({
  items: z.array(
    z.object({
      status: z.enum(["up", "degraded", "down", "unknown"]),
      latencyMs: z.number().nullable(),
      error: z.string().nullable(),
      checkedAt: z.string(),
    }),
  ),
});
