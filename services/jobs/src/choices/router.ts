import { ZJobChoicesRequestSchema, ZJobChoicesResponseSchema } from "@opsc/contracts/jobs/choices";
import { viewerProcedure } from "@opsc/server-kit";
import { callContextOf } from "../call-context.ts";
import type { JobsServiceDeps } from "../deps.ts";
import { listChoices } from "./choices.service.ts";

export function createChoicesProcedures(deps: JobsServiceDeps) {
  return {
    /** A read, sent as POST: the other parameters' values travel in the body. */
    choices: viewerProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/items/{id}/choices",
          tags: ["jobs"],
          summary: "The options of a choice parameter now, given the other parameters' values",
        },
      })
      .input(ZJobChoicesRequestSchema)
      .output(ZJobChoicesResponseSchema)
      .query(({ ctx, input }) => listChoices(deps, callContextOf(ctx), input)),
  };
}
