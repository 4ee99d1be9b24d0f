import {
  ZGetAuditRecordRequestSchema,
  ZListAuditRecordsRequestSchema,
  ZListAuditRecordsResponseSchema,
  ZStoredAuditRecord,
  ZVerifyAuditChainRequestSchema,
  ZVerifyAuditChainResponseSchema,
} from "@opsc/contracts/audit/records";
import { adminProcedure, router } from "@opsc/server-kit";
import type { AuditServiceDeps } from "./deps.ts";
import { getRecord, listRecords } from "./records/records.service.ts";
import { verifyChain } from "./records/verify.service.ts";

const tags = ["audit"];

/**
 * The public `audit` router (`/trpc/audit`, REST under `/api/v1/audit`). Admin only: the log holds every
 * service's before/after, so it is not narrowed per caller (see docs/decisions/0018-audit-trail.md).
 */
export function createAuditRouter(deps: AuditServiceDeps) {
  return router({
    records: router({
      list: adminProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/audit/records",
            tags,
            summary: "List audit records, newest first",
          },
        })
        .input(ZListAuditRecordsRequestSchema)
        .output(ZListAuditRecordsResponseSchema)
        .query(({ input }) => listRecords(deps, input)),
      get: adminProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/audit/records/{seq}",
            tags,
            summary: "Get an audit record with before/after",
          },
        })
        .input(ZGetAuditRecordRequestSchema)
        .output(ZStoredAuditRecord)
        .query(({ input }) => getRecord(deps, input.seq)),
    }),
    verify: adminProcedure
      .meta({
        openapi: { method: "GET", path: "/audit/verify", tags, summary: "Verify the audit hash chain" },
      })
      .input(ZVerifyAuditChainRequestSchema)
      .output(ZVerifyAuditChainResponseSchema)
      .query(({ input }) => verifyChain(deps, input)),
  });
}

export type AuditRouter = ReturnType<typeof createAuditRouter>;
