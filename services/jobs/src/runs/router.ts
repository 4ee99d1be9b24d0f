import { ZRunJobRequestSchema, ZRunJobResponseSchema } from "@opsc/contracts/jobs/run";
import { auditActorOf, operatorProcedure } from "@opsc/server-kit";
import { callContextOf } from "../call-context.ts";
import type { JobsServiceDeps } from "../deps.ts";
import { startJobRun } from "./start-job-run.ts";

export function createRunProcedures(deps: JobsServiceDeps) {
  return {
    run: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/items/{id}/run",
          tags: ["jobs"],
          summary: "Run a job version with parameters (blackout windows need an override reason)",
        },
      })
      .input(ZRunJobRequestSchema)
      .output(ZRunJobResponseSchema)
      .mutation(({ ctx, input }) =>
        startJobRun(deps, auditActorOf(ctx), {
          jobId: input.id,
          ...(input.version !== undefined ? { version: input.version } : {}),
          parameters: input.parameters,
          trigger: { kind: "manual", id: null, label: null },
          createdBy: ctx.caller.userId,
          ...(input.overrideReason !== undefined ? { overrideReason: input.overrideReason } : {}),
          ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
          blackout: "enforce",
          context: callContextOf(ctx),
        }),
      ),
  };
}
