import { ZSuccessResponse } from "@opsc/contracts";
import {
  ZConnectionTestRequestSchema,
  ZConnectionTestResponseSchema,
  ZHealthHistoryRequestSchema,
  ZHealthHistoryResponseSchema,
  ZRepinHostKeyRequestSchema,
  ZRepinHostKeyResponseSchema,
} from "@opsc/contracts/targets/connection";
import {
  ZBulkTargetsRequestSchema,
  ZBulkTargetsResponseSchema,
  ZCreateTargetRequestSchema,
  ZExportTargetsRequestSchema,
  ZExportTargetsResponseSchema,
  ZImportTargetsRequestSchema,
  ZImportTargetsResponseSchema,
  ZListTargetsRequestSchema,
  ZListTargetsResponseSchema,
  ZPreviewSelectorRequestSchema,
  ZPreviewSelectorResponseSchema,
  ZTarget,
  ZUpdateTargetRequestSchema,
} from "@opsc/contracts/targets/targets";
import { ZIdRequestSchema } from "@opsc/contracts/users/accounts";
import { adminProcedure, auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import * as connection from "./connection/connection.service.ts";
import { createCredentialsRouter } from "./credentials/router.ts";
import type { TargetsServiceDeps } from "./deps.ts";
import { healthHistory } from "./health/health.service.ts";
import { exportTargets, importTargets } from "./targets/import-export.ts";
import * as targets from "./targets/targets.service.ts";

const tags = ["targets"];

export function createTargetsRouter(deps: TargetsServiceDeps) {
  return router({
    list: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/targets/items",
          tags,
          summary: "List targets: filters, selector, keyset paging",
        },
      })
      .input(ZListTargetsRequestSchema)
      .output(ZListTargetsResponseSchema)
      .query(({ input }) => targets.listTargets(deps, input)),
    get: viewerProcedure
      .meta({ openapi: { method: "GET", path: "/targets/items/{id}", tags, summary: "Get a target" } })
      .input(ZIdRequestSchema)
      .output(ZTarget)
      .query(({ input }) => targets.getTarget(deps, input.id)),
    create: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/targets/items", tags, summary: "Create a target" } })
      .input(ZCreateTargetRequestSchema)
      .output(ZTarget)
      .mutation(({ ctx, input }) => targets.createTarget(deps, auditActorOf(ctx), input)),
    update: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/targets/items/{id}", tags, summary: "Change a target" } })
      .input(ZUpdateTargetRequestSchema)
      .output(ZTarget)
      .mutation(({ ctx, input }) => targets.updateTarget(deps, auditActorOf(ctx), input)),
    delete: operatorProcedure
      .meta({
        openapi: { method: "POST", path: "/targets/items/{id}/delete", tags, summary: "Delete a target" },
      })
      .input(ZIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => targets.deleteTarget(deps, auditActorOf(ctx), input.id)),
    preview: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/targets/preview",
          tags,
          summary: "The targets a selector matches, and how many",
        },
      })
      .input(ZPreviewSelectorRequestSchema)
      .output(ZPreviewSelectorResponseSchema)
      .query(({ input }) => targets.previewSelector(deps, input)),
    bulk: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/targets/bulk",
          tags,
          summary: "Tag, untag, enable, disable, maintenance or delete many targets",
        },
      })
      .input(ZBulkTargetsRequestSchema)
      .output(ZBulkTargetsResponseSchema)
      .mutation(({ ctx, input }) => targets.bulkTargets(deps, auditActorOf(ctx), input)),
    export: viewerProcedure
      .meta({
        openapi: { method: "GET", path: "/targets/export", tags, summary: "Export targets as CSV or YAML" },
      })
      .input(ZExportTargetsRequestSchema)
      .output(ZExportTargetsResponseSchema)
      .query(({ input }) => exportTargets(deps, input)),
    import: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/targets/import",
          tags,
          summary: "Import targets from CSV or YAML; dry run by default",
        },
      })
      .input(ZImportTargetsRequestSchema)
      .output(ZImportTargetsResponseSchema)
      .mutation(({ ctx, input }) => importTargets(deps, auditActorOf(ctx), input)),
    testConnection: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/targets/items/{id}/test",
          tags,
          summary: "SSH handshake and `true`, or an HTTP request",
        },
      })
      .input(ZConnectionTestRequestSchema)
      .output(ZConnectionTestResponseSchema)
      .mutation(({ ctx, input }) => connection.testConnection(deps, auditActorOf(ctx), input.id)),
    repinHostKey: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/targets/items/{id}/host-key/repin",
          tags,
          summary: "Trust the key the host presents now",
        },
      })
      .input(ZRepinHostKeyRequestSchema)
      .output(ZRepinHostKeyResponseSchema)
      .mutation(({ ctx, input }) => connection.repinHostKey(deps, auditActorOf(ctx), input.id)),
    health: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/targets/items/{id}/health",
          tags,
          summary: "Health check history, newest first",
        },
      })
      .input(ZHealthHistoryRequestSchema)
      .output(ZHealthHistoryResponseSchema)
      .query(({ input }) => healthHistory(deps, input)),
    credentials: createCredentialsRouter(deps),
  });
}

export type TargetsRouter = ReturnType<typeof createTargetsRouter>;
