import { ZSuccessResponse } from "@opsc/contracts";
import { ZDiscoveryIdRequestSchema } from "@opsc/contracts/discovery/common";
import { ZScanRun } from "@opsc/contracts/discovery/runs";
import {
  ZCreateScanRequestSchema,
  ZListScansRequestSchema,
  ZListScansResponseSchema,
  ZScan,
  ZUpdateScanRequestSchema,
} from "@opsc/contracts/discovery/scans";
import { auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import type { DiscoveryServiceDeps } from "../deps.ts";
import { requestRun } from "../runs/runs.service.ts";
import * as scans from "./scans.service.ts";

const tags = ["discovery"];

/** Scan definitions: ranges (inside the allowed ones), ports, pacing and an optional schedule. */
export function createScansRouter(deps: DiscoveryServiceDeps) {
  return router({
    list: viewerProcedure
      .meta({ openapi: { method: "GET", path: "/discovery/scans", tags, summary: "List scans" } })
      .input(ZListScansRequestSchema)
      .output(ZListScansResponseSchema)
      .query(({ input }) => scans.listScans(deps, input)),
    get: viewerProcedure
      .meta({ openapi: { method: "GET", path: "/discovery/scans/{id}", tags, summary: "Get a scan" } })
      .input(ZDiscoveryIdRequestSchema)
      .output(ZScan)
      .query(({ input }) => scans.getScan(deps, input.id)),
    create: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/discovery/scans", tags, summary: "Define a scan" } })
      .input(ZCreateScanRequestSchema)
      .output(ZScan)
      .mutation(({ ctx, input }) => scans.createScan(deps, auditActorOf(ctx), input)),
    update: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/discovery/scans/{id}", tags, summary: "Change a scan" } })
      .input(ZUpdateScanRequestSchema)
      .output(ZScan)
      .mutation(({ ctx, input }) => scans.updateScan(deps, auditActorOf(ctx), input)),
    delete: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/discovery/scans/{id}/delete",
          tags,
          summary: "Delete a scan with its runs and results",
        },
      })
      .input(ZDiscoveryIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => scans.deleteScan(deps, auditActorOf(ctx), input.id)),
    run: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/discovery/scans/{id}/run",
          tags,
          summary: "Run a scan now (queued for a system worker)",
        },
      })
      .input(ZDiscoveryIdRequestSchema)
      .output(ZScanRun)
      .mutation(({ ctx, input }) => requestRun(deps, auditActorOf(ctx), input.id)),
  });
}
