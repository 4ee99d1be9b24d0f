import { ZSuccessResponse } from "@opsc/contracts";
import {
  ZCreateScheduleRequestSchema,
  ZListFiresRequestSchema,
  ZListFiresResponseSchema,
  ZListSchedulesRequestSchema,
  ZListSchedulesResponseSchema,
  ZPreviewScheduleRequestSchema,
  ZPreviewScheduleResponseSchema,
  ZSchedule,
  ZScheduleIdRequestSchema,
  ZUpdateScheduleRequestSchema,
} from "@opsc/contracts/jobs/schedules";
import { auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import * as schedules from "./schedules.service.ts";

const tags = ["schedules"];

/** Schedules of jobs: operators write them, viewers read them and their fire history. */
export function createSchedulesRouter(deps: schedules.SchedulesDeps) {
  return router({
    list: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/jobs/schedules",
          tags,
          summary: "List schedules (all, or one job's), by name or by next fire",
        },
      })
      .input(ZListSchedulesRequestSchema)
      .output(ZListSchedulesResponseSchema)
      .query(({ input }) => schedules.listSchedules(deps, input)),
    // Before `get`: GET /jobs/schedules/{id} would otherwise take "preview" for an id.
    preview: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/jobs/schedules/preview",
          tags,
          summary: "The next instants a timing fires at",
        },
      })
      .input(ZPreviewScheduleRequestSchema)
      .output(ZPreviewScheduleResponseSchema)
      .query(({ input }) => schedules.previewSchedule(deps, input)),
    get: viewerProcedure
      .meta({ openapi: { method: "GET", path: "/jobs/schedules/{id}", tags, summary: "Get a schedule" } })
      .input(ZScheduleIdRequestSchema)
      .output(ZSchedule)
      .query(({ input }) => schedules.getSchedule(deps, input.id)),
    fires: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/jobs/schedules/{id}/fires",
          tags,
          summary: "A schedule's fire history, newest slot first",
        },
      })
      .input(ZListFiresRequestSchema)
      .output(ZListFiresResponseSchema)
      .query(({ input }) => schedules.listFires(deps, input)),
    create: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/jobs/schedules", tags, summary: "Schedule a job" } })
      .input(ZCreateScheduleRequestSchema)
      .output(ZSchedule)
      .mutation(({ ctx, input }) => schedules.createSchedule(deps, auditActorOf(ctx), input)),
    update: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/jobs/schedules/{id}", tags, summary: "Change a schedule" } })
      .input(ZUpdateScheduleRequestSchema)
      .output(ZSchedule)
      .mutation(({ ctx, input }) => schedules.updateSchedule(deps, auditActorOf(ctx), input)),
    pause: operatorProcedure
      .meta({
        openapi: { method: "POST", path: "/jobs/schedules/{id}/pause", tags, summary: "Pause a schedule" },
      })
      .input(ZScheduleIdRequestSchema)
      .output(ZSchedule)
      .mutation(({ ctx, input }) => schedules.setPaused(deps, auditActorOf(ctx), input.id, true)),
    resume: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/schedules/{id}/resume",
          tags,
          summary: "Resume a schedule from its next slot after now",
        },
      })
      .input(ZScheduleIdRequestSchema)
      .output(ZSchedule)
      .mutation(({ ctx, input }) => schedules.setPaused(deps, auditActorOf(ctx), input.id, false)),
    delete: operatorProcedure
      .meta({
        openapi: { method: "POST", path: "/jobs/schedules/{id}/delete", tags, summary: "Delete a schedule" },
      })
      .input(ZScheduleIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => schedules.deleteSchedule(deps, auditActorOf(ctx), input.id)),
  });
}
