// Plain authenticated routes for the exports, which tRPC cannot stream (like the execution service's downloads).
import { hasRole } from "@opsc/contracts";
import { ZAuditRecordFilters } from "@opsc/contracts/audit/records";
import type { Authenticate, createServiceHttp, RequestInfo } from "@opsc/server-kit";
import { describeIssues } from "@opsc/server-kit";
import { stringify } from "csv-stringify/sync";
import { Elysia } from "elysia";
import { z } from "zod";
import type { AuditServiceDeps } from "../deps.ts";
import { iterateRecords } from "./records.service.ts";

type Http = ReturnType<typeof createServiceHttp>;

const ZExportQuery = z.strictObject(ZAuditRecordFilters);

const CSV_COLUMNS = [
  "seq",
  "eventId",
  "occurredAt",
  "storedAt",
  "service",
  "actorType",
  "actorId",
  "apiKeyId",
  "action",
  "resourceType",
  "resourceId",
  "sourceIp",
  "requestId",
  "before",
  "after",
  "prevHash",
  "hash",
] as const;

function errorResponse(
  status: number,
  code: string,
  message: string,
  info: RequestInfo,
  issues: unknown = null,
) {
  return Response.json({ error: { code, message, requestId: info.requestId, issues } }, { status });
}

type Format = "csv" | "jsonl";

/**
 * `GET /api/v1/audit/export.csv` and `GET /api/v1/audit/export.jsonl`: every record matching the list filters,
 * newest first, streamed page by page. Admin only: 401 without credentials, 403 below admin, 400 naming a bad filter.
 */
export function createExportRoutes(
  deps: Pick<AuditServiceDeps, "db" | "log">,
  http: Http,
  authenticate: Authenticate,
) {
  const handler = (format: Format) =>
    http.instrument(`/api/v1/audit/export.${format}`, async (request, info) => {
      const caller = await authenticate(request.headers, info);
      if (!caller) return errorResponse(401, "UNAUTHORIZED", "Sign in or send an API key", info);
      if (!hasRole(caller.role, "admin"))
        return errorResponse(403, "FORBIDDEN", "Requires the admin role", info);
      const parsed = ZExportQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => ({
          path: issue.path.map((part) => (typeof part === "number" ? part : String(part))),
          message: issue.message,
        }));
        return errorResponse(400, "BAD_REQUEST", describeIssues(issues), info, issues);
      }
      const records = iterateRecords(deps, parsed.data);
      const encoder = new TextEncoder();
      const log = deps.log;
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          if (format === "csv") controller.enqueue(encoder.encode(stringify([[...CSV_COLUMNS]])));
        },
        async pull(controller) {
          try {
            const next = await records.next();
            if (next.done) return controller.close();
            const record = next.value;
            const line =
              format === "jsonl"
                ? `${JSON.stringify(record)}\n`
                : stringify([
                    CSV_COLUMNS.map((column) => {
                      const value = record[column];
                      if (column === "before" || column === "after")
                        return value === null ? "" : JSON.stringify(value);
                      return value ?? "";
                    }),
                  ]);
            controller.enqueue(encoder.encode(line));
          } catch (error) {
            log.error({ err: error }, "audit export failed");
            controller.error(error);
          }
        },
        async cancel() {
          await records.return(undefined);
        },
      });
      return new Response(body, {
        headers: {
          "content-type":
            format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
          "content-disposition": `attachment; filename="audit.${format}"`,
          "x-content-type-options": "nosniff",
          "cache-control": "private, no-store",
        },
      });
    });
  return new Elysia({ name: "audit-export" })
    .get("/api/v1/audit/export.csv", handler("csv"))
    .get("/api/v1/audit/export.jsonl", handler("jsonl"));
}
