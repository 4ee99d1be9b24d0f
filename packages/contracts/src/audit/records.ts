import { z } from "zod";
import { ZTimestamp } from "../common.ts";
import { ZAuditRecord } from "../events.ts";

/**
 * The audit service's stored records: every service's audit records, append-only, in one hash chain. `seq` is
 * gap-free; `hash = sha256(prevHash || canonical JSON of the record's content)`, see docs/decisions/0018-audit-trail.md.
 */

export const AUDIT_LIMITS = { maxPageSize: 200, maxTextLength: 200 } as const;

/** A stored record without its before/after (lists stay small); `audit.records.get` returns them. */
export const ZStoredAuditRecordSummary = ZAuditRecord.omit({ before: true, after: true }).extend({
  seq: z.number().int(),
  storedAt: ZTimestamp,
  hash: z.string(),
});
export type TStoredAuditRecordSummary = z.output<typeof ZStoredAuditRecordSummary>;

export const ZStoredAuditRecord = ZStoredAuditRecordSummary.extend({
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  prevHash: z.string(),
});
export type TStoredAuditRecord = z.output<typeof ZStoredAuditRecord>;

const ZText = z.string().trim().min(1).max(AUDIT_LIMITS.maxTextLength);

/** The filters `audit.records.list` and the exports share. */
export const ZAuditRecordFilters = {
  actorId: ZText.optional().meta({ description: "the user who acted" }),
  apiKeyId: ZText.optional(),
  action: ZText.optional().meta({ description: "exact action, e.g. user.created" }),
  service: ZText.optional(),
  resourceType: ZText.optional(),
  resourceId: ZText.optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: "occurred at or after" }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: "occurred before" }),
  text: ZText.optional().meta({ description: "contained in before or after, case-insensitive" }),
};

export const ZListAuditRecordsRequestSchema = z.strictObject({
  ...ZAuditRecordFilters,
  limit: z.coerce.number().int().min(1).max(AUDIT_LIMITS.maxPageSize).default(50),
  /** Newest first; `cursor` is the previous page's `nextCursor` (the last seq it listed). */
  cursor: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ description: "from the previous page's nextCursor" }),
});
export type TListAuditRecordsRequest = z.input<typeof ZListAuditRecordsRequestSchema>;
export type TAuditRecordFilters = Omit<z.output<typeof ZListAuditRecordsRequestSchema>, "limit" | "cursor">;

export const ZListAuditRecordsResponseSchema = z.object({
  items: z.array(ZStoredAuditRecordSummary),
  nextCursor: z.number().int().nullable(),
});

export const ZGetAuditRecordRequestSchema = z.strictObject({ seq: z.coerce.number().int().min(1) });

export const ZVerifyAuditChainRequestSchema = z.strictObject({
  /** Problems to list at most; the walk stops after that many. */
  maxProblems: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ZAuditChainProblem = z.object({
  seq: z.number().int(),
  kind: z.enum(["content_changed", "missing", "link_broken"]),
  message: z.string(),
});
export type TAuditChainProblem = z.output<typeof ZAuditChainProblem>;

export const ZVerifyAuditChainResponseSchema = z.object({
  intact: z.boolean(),
  /** Records walked: those in the database and, when the archives were read, the archived ones. */
  records: z.number().int(),
  /** Records moved to the object store by retention; the chain goes on from the last archive's hash. */
  archived: z.number().int(),
  /** The seq of the first broken link, null when intact. */
  firstBreakSeq: z.number().int().nullable(),
  problems: z.array(ZAuditChainProblem),
  /** "intact, N records" or the first problem. */
  message: z.string(),
});
export type TVerifyAuditChainResponse = z.output<typeof ZVerifyAuditChainResponseSchema>;
