import {
  ZFinishRunRequestSchema,
  ZFinishRunResponseSchema,
  ZReapStaleRunsRequestSchema,
  ZReapStaleRunsResponseSchema,
  ZReportRunRequestSchema,
  ZReportRunResponseSchema,
  ZStartDueScansRequestSchema,
  ZStartDueScansResponseSchema,
  ZStartRunRequestSchema,
  ZStartRunResponseSchema,
} from "@opsc/contracts/discovery/internal";
import { internalProcedure, router } from "@opsc/server-kit";
import type { DiscoveryServiceDeps } from "../deps.ts";
import * as worker from "../runs/worker.service.ts";

/**
 * What the system worker calls: the life of a run (start, report, finish), scheduled starts and the reaper.
 * Reached only with the internal token, never through the gateway.
 */
export function createDiscoveryInternalRouter(deps: DiscoveryServiceDeps) {
  return router({
    runs: router({
      start: internalProcedure
        .input(ZStartRunRequestSchema)
        .output(ZStartRunResponseSchema)
        .mutation(({ input }) => worker.startRun(deps, input)),
      report: internalProcedure
        .input(ZReportRunRequestSchema)
        .output(ZReportRunResponseSchema)
        .mutation(({ input }) => worker.reportRun(deps, input)),
      finish: internalProcedure
        .input(ZFinishRunRequestSchema)
        .output(ZFinishRunResponseSchema)
        .mutation(({ ctx, input }) => worker.finishRun(deps, input, ctx.requestId)),
      reapStale: internalProcedure
        .input(ZReapStaleRunsRequestSchema)
        .output(ZReapStaleRunsResponseSchema)
        .mutation(({ input }) => worker.reapStaleRuns(deps, input)),
    }),
    schedules: router({
      startDue: internalProcedure
        .input(ZStartDueScansRequestSchema)
        .output(ZStartDueScansResponseSchema)
        .mutation(({ input }) => worker.startDueScans(deps, input)),
    }),
  });
}

export type DiscoveryInternalRouter = ReturnType<typeof createDiscoveryInternalRouter>;
