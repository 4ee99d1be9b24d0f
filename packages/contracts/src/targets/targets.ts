import { z } from "zod";
import { ZId, ZTimestamp } from "../common.ts";

export const TARGET_KINDS = ["ssh", "http"] as const;
export const ZTargetKind = z.enum(TARGET_KINDS);
export const HEALTH_STATUSES = ["up", "degraded", "down", "unknown"] as const;
export const ZHealthStatus = z.enum(HEALTH_STATUSES);
export type THealthStatus = z.infer<typeof ZHealthStatus>;

export const ZTargetName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "letters, digits, '.', '_' and '-', starting with a letter or digit",
  );
/** A host name or an IPv4/IPv6 address; no scheme, no port. */
export const ZAddress = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, "a host name or an IP address, without scheme or port");
export const ZPort = z.number().int().min(1).max(65535);
const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
const TAG_VALUE = /^[A-Za-z0-9._:/@+-]{0,128}$/;
export const ZTags = z
  .record(
    z.string().regex(TAG_KEY, "tag keys: letters, digits, '.', '_', '/', '-'"),
    z.string().regex(TAG_VALUE, "tag values: letters, digits and . _ : / @ + -"),
  )
  .refine((tags) => Object.keys(tags).length <= 50, "at most 50 tags");
export type TTags = z.infer<typeof ZTags>;

/** Kind-specific settings: the URL path and scheme of an HTTP target, the expected status. */
export const ZHttpOptions = z.strictObject({
  scheme: z.enum(["http", "https"]).default("https"),
  path: z.string().max(2000).regex(/^\//, "starts with /").default("/"),
  expectStatus: z.number().int().min(100).max(599).optional(),
  /** Accept a self-signed certificate (an internal service); off by default. */
  insecureTls: z.boolean().default(false),
});

export const ZHealth = z.object({
  status: ZHealthStatus,
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
  checkedAt: ZTimestamp.nullable(),
  changedAt: ZTimestamp.nullable(),
});

export const ZHostKey = z.object({
  algorithm: z.string(),
  fingerprintSha256: z.string(),
  pinnedAt: ZTimestamp,
});

export const ZTarget = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number(),
  kind: ZTargetKind,
  tags: z.record(z.string(), z.string()),
  description: z.string(),
  enabled: z.boolean(),
  maintenance: z.boolean(),
  ownerId: z.string().nullable(),
  credentialId: z.string().nullable(),
  sudoCredentialId: z.string().nullable(),
  http: ZHttpOptions.nullable(),
  healthIntervalSeconds: z.number().nullable(),
  health: ZHealth,
  hostKey: ZHostKey.nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TTarget = z.infer<typeof ZTarget>;

const targetFields = {
  name: ZTargetName,
  address: ZAddress,
  port: ZPort.optional().meta({ description: "defaults to 22 for ssh, 443/80 for http by scheme" }),
  kind: ZTargetKind,
  tags: ZTags.default({}),
  description: z.string().max(2000).default(""),
  enabled: z.boolean().default(true),
  maintenance: z.boolean().default(false),
  credentialId: ZId.nullable().default(null),
  sudoCredentialId: ZId.nullable().default(null),
  http: ZHttpOptions.nullable().default(null),
  healthIntervalSeconds: z.number().int().min(10).max(86_400).nullable().default(null),
};

export const ZCreateTargetRequestSchema = z.strictObject(targetFields);
export type TCreateTargetRequest = z.input<typeof ZCreateTargetRequestSchema>;

export const ZUpdateTargetRequestSchema = z.strictObject({
  id: ZId,
  data: z.strictObject({
    name: targetFields.name.optional(),
    address: targetFields.address.optional(),
    port: ZPort.optional(),
    kind: targetFields.kind.optional(),
    tags: ZTags.optional(),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().optional(),
    maintenance: z.boolean().optional(),
    credentialId: ZId.nullable().optional(),
    sudoCredentialId: ZId.nullable().optional(),
    http: ZHttpOptions.nullable().optional(),
    healthIntervalSeconds: z.number().int().min(10).max(86_400).nullable().optional(),
  }),
});
export type TUpdateTargetRequest = z.input<typeof ZUpdateTargetRequestSchema>;

export const ZListTargetsRequestSchema = z.strictObject({
  search: z
    .string()
    .trim()
    .max(100)
    .optional()
    .meta({ description: "name or address contains, case-insensitive" }),
  kind: ZTargetKind.optional(),
  health: ZHealthStatus.optional(),
  /** `key=value` tag filters, all of which must match. */
  tag: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
    .pipe(z.array(z.string().regex(/^[^=]+=.*$/, "key=value")).max(20)),
  selector: z.string().max(2000).optional(),
  enabled: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional().meta({ description: "from the previous page's nextCursor" }),
});
export type TListTargetsRequest = z.input<typeof ZListTargetsRequestSchema>;
export const ZListTargetsResponseSchema = z.object({
  items: z.array(ZTarget),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});

export const ZPreviewSelectorRequestSchema = z.strictObject({
  selector: z.string().max(2000),
  limit: z.coerce.number().int().min(0).max(200).default(20),
});
export const ZPreviewSelectorResponseSchema = z.object({
  count: z.number().int(),
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      address: z.string(),
      kind: ZTargetKind,
      health: ZHealthStatus,
    }),
  ),
});

export const BULK_ACTIONS = [
  "tag",
  "untag",
  "enable",
  "disable",
  "maintenance_on",
  "maintenance_off",
  "delete",
  "set_health_interval",
] as const;
export const ZBulkTargetsRequestSchema = z.strictObject({
  ids: z.array(ZId).min(1).max(1000).optional(),
  selector: z
    .string()
    .max(2000)
    .optional()
    .meta({ description: "instead of ids: every target the selector matches" }),
  action: z.enum(BULK_ACTIONS),
  tags: ZTags.optional().meta({ description: "for tag: tags to set; for untag: the keys to remove" }),
  healthIntervalSeconds: z.number().int().min(10).max(86_400).nullable().optional(),
});
export const ZBulkTargetsResponseSchema = z.object({ affected: z.number().int() });

export const ZExportTargetsRequestSchema = z.strictObject({
  format: z.enum(["csv", "yaml"]),
  selector: z.string().max(2000).optional(),
});
export const ZExportTargetsResponseSchema = z.object({
  format: z.enum(["csv", "yaml"]),
  content: z.string(),
  count: z.number().int(),
});

export const ZImportTargetsRequestSchema = z.strictObject({
  format: z.enum(["csv", "yaml"]),
  content: z.string().max(5_000_000),
  dryRun: z.boolean().default(true),
});
export const ZImportTargetsResponseSchema = z.object({
  dryRun: z.boolean(),
  create: z.array(z.object({ name: z.string(), address: z.string(), kind: ZTargetKind })),
  update: z.array(z.object({ name: z.string(), changes: z.array(z.string()) })),
  unchanged: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), field: z.string().nullable(), message: z.string() })),
  applied: z.boolean(),
});
