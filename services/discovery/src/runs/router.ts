import { ZDiscoveryIdRequestSchema } from "@opsc/contracts/discovery/common";
import { ZListRunsRequestSchema, ZListRunsResponseSchema, ZScanRun } from "@opsc/contracts/discovery/runs";
import { auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import type { DiscoveryServiceDeps } from "../deps.ts";
import * as runs from "./runs.service.ts";

const tags = ["discovery"];

/** Runs of scans: status, progress, cancel. */
export function createRunsRouter(deps: DiscoveryServiceDeps) {
  return router({
    list: viewerProcedure
      .meta({
        openapi: { method: "GET", path: "/discovery/runs", tags, summary: "List scan runs, newest first" },
      })
      .input(ZListRunsRequestSchema)
      .output(ZListRunsResponseSchema)
      .query(({ input }) => runs.listRuns(deps, input)),
    get: viewerProcedure
      .meta({
        openapi: { method: "GET", path: "/discovery/runs/{id}", tags, summary: "Get a run and its progress" },
      })
      .input(ZDiscoveryIdRequestSchema)
      .output(ZScanRun)
      .query(({ input }) => runs.getRun(deps, input.id)),
    cancel: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/discovery/runs/{id}/cancel",
          tags,
          summary: "Cancel a queued or running run",
        },
      })
      .input(ZDiscoveryIdRequestSchema)
      .output(ZScanRun)
      .mutation(({ ctx, input }) => runs.cancelRun(deps, auditActorOf(ctx), input.id)),
  });
}
