import { z } from "zod";
import { ZTags, ZTargetKind, ZTargetName } from "../targets/targets.ts";
import { ZDiscoveryId } from "./common.ts";

export const ZHttpBanner = z.object({
  status: z.number().int(),
  server: z.string().nullable(),
  title: z.string().nullable(),
  tls: z.boolean(),
});

export const ZOpenPort = z.object({
  port: z.number().int().min(1).max(65535),
  service: z.enum(["ssh", "http", "https"]).nullable(),
  /** SSH identification line, or the first line another server-first protocol sent. */
  banner: z.string().max(255).nullable(),
  http: ZHttpBanner.nullable(),
  latencyMs: z.number().min(0),
});
export type TOpenPort = z.infer<typeof ZOpenPort>;

/** A host a scan found: an address with at least one open port. */
export const ZHost = z.object({
  address: z.string().max(64),
  hostname: z.string().max(253).nullable(),
  osHint: z.string().max(32).nullable(),
  ports: z.array(ZOpenPort).min(1).max(1000),
});
export type THost = z.infer<typeof ZHost>;

export const ZHostResult = ZHost.extend({ importedTargetId: z.string().nullable() });

export const ZListResultsRequestSchema = z.strictObject({
  runId: ZDiscoveryId,
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const ZListResultsResponseSchema = z.object({ items: z.array(ZHostResult), total: z.number().int() });

/** How an import would create the target: reviewable in the diff, overridable per host. */
export const ZTargetSuggestion = z.object({
  name: z.string(),
  kind: ZTargetKind,
  port: z.number().int(),
  tags: z.record(z.string(), z.string()),
  http: z.object({ scheme: z.enum(["http", "https"]), path: z.string() }).nullable(),
  description: z.string(),
});
export type TTargetSuggestion = z.infer<typeof ZTargetSuggestion>;

const ZTargetRef = z.object({ id: z.string(), name: z.string() });

export const ZRunDiffRequestSchema = z.strictObject({ runId: ZDiscoveryId });
export const ZRunDiffResponseSchema = z.object({
  runId: z.string(),
  /** The previous completed run of the same scan, compared against; null for a first run. */
  previousRunId: z.string().nullable(),
  /** No target has the address: candidates for import. */
  new: z.array(
    z.object({
      host: ZHost,
      suggestion: ZTargetSuggestion,
      seenBefore: z.boolean(),
      changes: z.array(z.string()),
    }),
  ),
  /** A target has the address and its ports or banners changed since the previous run. */
  changed: z.array(z.object({ host: ZHost, target: ZTargetRef, changes: z.array(z.string()) })),
  /** A target has the address; nothing changed (or there is no previous run). */
  known: z.array(z.object({ address: z.string(), target: ZTargetRef })),
  /** Seen in the previous run, not in this one. */
  vanished: z.array(z.object({ address: z.string(), previous: ZHost, target: ZTargetRef.nullable() })),
});
export type TRunDiff = z.infer<typeof ZRunDiffResponseSchema>;

export const ZImportHostsRequestSchema = z.strictObject({
  runId: ZDiscoveryId,
  hosts: z
    .array(
      z.strictObject({
        address: z.string().trim().min(1).max(64),
        name: ZTargetName.optional().meta({ description: "instead of the suggested name" }),
        tags: ZTags.optional().meta({ description: "instead of the suggested tags" }),
      }),
    )
    .min(1)
    .max(1000),
});
export type TImportHostsRequest = z.input<typeof ZImportHostsRequestSchema>;
export const ZImportHostsResponseSchema = z.object({
  items: z.array(
    z.object({ address: z.string(), targetId: z.string(), name: z.string(), kind: ZTargetKind }),
  ),
});
