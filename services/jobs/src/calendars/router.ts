import { ZSuccessResponse } from "@opsc/contracts";
import {
  ZCalendar,
  ZCalendarIdRequestSchema,
  ZCreateCalendarRequestSchema,
  ZListCalendarsRequestSchema,
  ZListCalendarsResponseSchema,
  ZPreviewCalendarRequestSchema,
  ZPreviewCalendarResponseSchema,
  ZUpdateCalendarRequestSchema,
} from "@opsc/contracts/jobs/calendars";
import { auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import * as calendars from "./calendars.service.ts";

const tags = ["calendars"];

/** Blackout calendars: operators write them, viewers read them. */
export function createCalendarsRouter(deps: calendars.CalendarsDeps) {
  return router({
    list: viewerProcedure
      .meta({ openapi: { method: "GET", path: "/jobs/calendars", tags, summary: "List calendars" } })
      .input(ZListCalendarsRequestSchema)
      .output(ZListCalendarsResponseSchema)
      .query(({ input }) => calendars.listCalendars(deps, input)),
    // Before `update`: POST /jobs/calendars/{id} would otherwise take "preview" for an id.
    preview: viewerProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/calendars/preview",
          tags,
          summary: "Upcoming blackout windows of a calendar or of a definition being edited",
        },
      })
      .input(ZPreviewCalendarRequestSchema)
      .output(ZPreviewCalendarResponseSchema)
      .query(({ input }) => calendars.previewCalendar(deps, input)),
    get: viewerProcedure
      .meta({ openapi: { method: "GET", path: "/jobs/calendars/{id}", tags, summary: "Get a calendar" } })
      .input(ZCalendarIdRequestSchema)
      .output(ZCalendar)
      .query(({ input }) => calendars.getCalendar(deps, input.id)),
    create: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/jobs/calendars", tags, summary: "Create a calendar" } })
      .input(ZCreateCalendarRequestSchema)
      .output(ZCalendar)
      .mutation(({ ctx, input }) => calendars.createCalendar(deps, auditActorOf(ctx), input)),
    update: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/jobs/calendars/{id}", tags, summary: "Change a calendar" } })
      .input(ZUpdateCalendarRequestSchema)
      .output(ZCalendar)
      .mutation(({ ctx, input }) => calendars.updateCalendar(deps, auditActorOf(ctx), input)),
    delete: operatorProcedure
      .meta({
        openapi: { method: "POST", path: "/jobs/calendars/{id}/delete", tags, summary: "Delete a calendar" },
      })
      .input(ZCalendarIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => calendars.deleteCalendar(deps, auditActorOf(ctx), input.id)),
  });
}
