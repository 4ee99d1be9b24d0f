import {
  ZImportHostsRequestSchema,
  ZImportHostsResponseSchema,
  ZListResultsRequestSchema,
  ZListResultsResponseSchema,
  ZRunDiffRequestSchema,
  ZRunDiffResponseSchema,
} from "@opsc/contracts/discovery/results";
import { auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import type { DiscoveryServiceDeps } from "../deps.ts";
import { callContextOf } from "../inventory.ts";
import * as results from "./results.service.ts";

const tags = ["discovery"];

/** What a run found, how it compares with the inventory, and importing hosts as targets. */
export function createResultsRouter(deps: DiscoveryServiceDeps) {
  return router({
    list: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/discovery/runs/{runId}/results",
          tags,
          summary: "Hosts a run found",
        },
      })
      .input(ZListResultsRequestSchema)
      .output(ZListResultsResponseSchema)
      .query(({ input }) => results.listResults(deps, input)),
    diff: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/discovery/runs/{runId}/diff",
          tags,
          summary: "New, changed, known and vanished hosts, with suggested targets",
        },
      })
      .input(ZRunDiffRequestSchema)
      .output(ZRunDiffResponseSchema)
      .query(({ ctx, input }) => results.diffRun(deps, callContextOf(ctx), input.runId)),
    import: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/discovery/runs/{runId}/import",
          tags,
          summary: "Create targets for selected hosts of a run",
        },
      })
      .input(ZImportHostsRequestSchema)
      .output(ZImportHostsResponseSchema)
      .mutation(({ ctx, input }) => results.importHosts(deps, auditActorOf(ctx), callContextOf(ctx), input)),
  });
}
