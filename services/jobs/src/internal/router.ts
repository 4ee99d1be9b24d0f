import { ZRunTrigger, ZStartPlanRunResponse } from "@opsc/contracts/execution/plan";
import { ZJob, ZJobIdRequestSchema } from "@opsc/contracts/jobs/jobs";
import { auditActorOf, internalProcedure, router } from "@opsc/server-kit";
import { z } from "zod";
import { callContextOf } from "../call-context.ts";
import type { JobsServiceDeps } from "../deps.ts";
import { getJob } from "../jobs/jobs.service.ts";
import { startJobRun } from "../runs/start-job-run.ts";
import { createSchedulesInternalRouter } from "../schedules/internal-router.ts";

/**
 * What other services and workers call: a job by id, and starting a job run for a trigger (as the asserted caller,
 * or as the system when there is none). Reached only with the internal token, never through the gateway.
 */
export function createJobsInternalRouter(deps: JobsServiceDeps) {
  return router({
    jobs: router({
      get: internalProcedure
        .input(ZJobIdRequestSchema)
        .output(ZJob)
        .query(({ input }) => getJob(deps, input.id)),
    }),
    runs: router({
      start: internalProcedure
        .input(
          z.strictObject({
            jobId: z.uuid(),
            version: z.number().int().min(1).optional(),
            parameters: z.record(z.string(), z.unknown()).default({}),
            trigger: ZRunTrigger,
            createdBy: z.string().max(64).nullable(),
            overrideReason: z.string().trim().min(1).max(500).optional(),
            idempotencyKey: z.string().min(1).max(200).optional(),
            blackout: z.enum(["enforce", "ignore"]),
          }),
        )
        .output(ZStartPlanRunResponse)
        .mutation(({ ctx, input }) =>
          startJobRun(
            deps,
            { ...auditActorOf(ctx), isSystem: ctx.caller === null },
            {
              ...input,
              version: input.version,
              overrideReason: input.overrideReason,
              idempotencyKey: input.idempotencyKey,
              context: callContextOf(ctx),
            },
          ),
        ),
    }),
    /** The scheduler worker's due slots and fires. */
    schedules: createSchedulesInternalRouter(deps),
  });
}

export type JobsInternalRouter = ReturnType<typeof createJobsInternalRouter>;
