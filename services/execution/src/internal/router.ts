import { ZStartPlanRunRequest, ZStartPlanRunResponse } from "@opsc/contracts/execution/plan";
import { auditActorOf, internalProcedure, router } from "@opsc/server-kit";
import type { ExecutionServiceDeps } from "../deps.ts";
import { createMaintenanceInternalRouter } from "../retention/router.ts";
import { callContextOf } from "../router.ts";
import { startPlanRun } from "../runs/plan.service.ts";

/**
 * What other services call: the jobs service starts runs of job versions here. Reached only with the internal
 * token, never through the gateway.
 */
export function createExecutionInternalRouter(deps: ExecutionServiceDeps) {
  return router({
    runs: router({
      /** Starts a run of a job version's plan (after the jobs service validated its parameters). */
      startPlan: internalProcedure
        .input(ZStartPlanRunRequest)
        .output(ZStartPlanRunResponse)
        .mutation(({ ctx, input }) => startPlanRun(deps, auditActorOf(ctx), callContextOf(ctx), input)),
    }),
    /** Retention (the system worker's maintenance module): prune old runs' logs, then old runs. */
    maintenance: createMaintenanceInternalRouter(deps),
  });
}

export type ExecutionInternalRouter = ReturnType<typeof createExecutionInternalRouter>;
