import {
  ZDueSchedulesRequestSchema,
  ZDueSchedulesResponseSchema,
  ZFireScheduleRequestSchema,
  ZFireScheduleResponseSchema,
} from "@opsc/contracts/jobs/schedules";
import { internalProcedure, router } from "@opsc/server-kit";
import type { JobsServiceDeps } from "../deps.ts";
import { fireSlot, listDueSlots } from "./fire.service.ts";

/** What the scheduler worker's leader calls every tick: the due slots, then a fire for each. */
export function createSchedulesInternalRouter(deps: JobsServiceDeps) {
  return router({
    due: internalProcedure
      .input(ZDueSchedulesRequestSchema)
      .output(ZDueSchedulesResponseSchema)
      .query(({ input }) => listDueSlots(deps, input)),
    fire: internalProcedure
      .input(ZFireScheduleRequestSchema)
      .output(ZFireScheduleResponseSchema)
      .mutation(({ ctx, input }) => fireSlot(deps, input, ctx.requestId)),
  });
}
