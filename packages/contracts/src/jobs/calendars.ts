import { z } from "zod";
import { ZPageRequest, ZTimestamp } from "../common.ts";
import { ZFolder, ZJobTag } from "./definition.ts";
import { ZCronExpression, ZInstant, ZLocalDateTime, ZTimeZone } from "./time.ts";

/**
 * Calendars: blackout windows during which scheduled and webhook runs of the jobs in a calendar's scope do not start
 * (a manual run needs an override reason). Times are read in the calendar's time zone.
 */

export const CALENDAR_LIMITS = {
  maxWindows: 100,
  /** A window lasts a month at most. */
  maxDurationMinutes: 31 * 24 * 60,
  maxPreviewDays: 366,
  maxPreviewWindows: 500,
} as const;

export const ZCalendarId = z.uuid();
export const ZCalendarIdRequestSchema = z.strictObject({ id: ZCalendarId });

/** A window that starts whenever its 5-field cron expression matches, for `durationMinutes`. */
export const ZRecurringWindow = z.strictObject({
  type: z.literal("recurring"),
  label: z.string().trim().max(100).optional(),
  cron: ZCronExpression.refine(
    (value) => value.split(/\s+/).length === 5,
    "5 fields: minute hour day-of-month month day-of-week",
  ),
  durationMinutes: z.number().int().min(1).max(CALENDAR_LIMITS.maxDurationMinutes),
});

/** One window from `start` to `end`, both local date-times in the calendar's zone. */
export const ZOneOffWindow = z
  .strictObject({
    type: z.literal("once"),
    label: z.string().trim().max(100).optional(),
    start: ZLocalDateTime,
    end: ZLocalDateTime,
  })
  .refine((window) => window.start < window.end, { path: ["end"], message: "end must be after start" });

export const ZCalendarWindow = z.discriminatedUnion("type", [ZRecurringWindow, ZOneOffWindow]);
export type TCalendarWindow = z.output<typeof ZCalendarWindow>;

/**
 * The jobs a calendar applies to: all of them, or those in one of `folders` (the folder or below it) or carrying
 * one of `tags`.
 */
export const ZCalendarScope = z.union([
  z.strictObject({ all: z.literal(true) }),
  z
    .strictObject({
      folders: z.array(ZFolder).max(100).default([]),
      tags: z.array(ZJobTag).max(100).default([]),
    })
    .refine((scope) => scope.folders.length + scope.tags.length > 0, {
      message: "name at least one folder or tag, or use { all: true }",
    }),
]);
export type TCalendarScope = z.output<typeof ZCalendarScope>;

const ZCalendarName = z.string().trim().min(1).max(100);

export const ZCalendar = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  timeZone: z.string(),
  windows: z.array(ZCalendarWindow),
  scope: ZCalendarScope,
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TCalendar = z.output<typeof ZCalendar>;

export const ZListCalendarsRequestSchema = z.strictObject({
  search: z.string().trim().max(100).optional().meta({ description: "name contains, case-insensitive" }),
  ...ZPageRequest,
});
export const ZListCalendarsResponseSchema = z.object({ items: z.array(ZCalendar), total: z.number().int() });

const calendarFields = {
  name: ZCalendarName,
  description: z.string().trim().max(2000).default(""),
  timeZone: ZTimeZone.default("UTC"),
  windows: z.array(ZCalendarWindow).min(1).max(CALENDAR_LIMITS.maxWindows),
  scope: ZCalendarScope,
};

export const ZCreateCalendarRequestSchema = z.strictObject(calendarFields);
export type TCreateCalendarRequest = z.input<typeof ZCreateCalendarRequestSchema>;

export const ZUpdateCalendarRequestSchema = z.strictObject({
  id: ZCalendarId,
  data: z.strictObject({
    name: ZCalendarName.optional(),
    description: z.string().trim().max(2000).optional(),
    timeZone: ZTimeZone.optional(),
    windows: calendarFields.windows.optional(),
    scope: ZCalendarScope.optional(),
  }),
});
export type TUpdateCalendarRequest = z.input<typeof ZUpdateCalendarRequestSchema>;

/** Upcoming windows of a saved calendar (`id`) or of a definition being edited (`timeZone` + `windows`). */
export const ZPreviewCalendarRequestSchema = z
  .strictObject({
    id: ZCalendarId.optional(),
    timeZone: ZTimeZone.optional(),
    windows: calendarFields.windows.optional(),
    /** Default: now. Windows already open at `from` are listed too. */
    from: ZInstant.optional(),
    days: z.coerce.number().int().min(1).max(CALENDAR_LIMITS.maxPreviewDays).default(14),
  })
  .refine((input) => (input.id === undefined) !== (input.windows === undefined), {
    path: ["id"],
    message: "give either id or windows (with timeZone)",
  });
export type TPreviewCalendarRequest = z.input<typeof ZPreviewCalendarRequestSchema>;

export const ZCalendarOccurrence = z.object({
  /** The window's index in `windows`. */
  window: z.number().int(),
  label: z.string().nullable(),
  start: ZTimestamp,
  end: ZTimestamp,
});
export type TCalendarOccurrence = z.output<typeof ZCalendarOccurrence>;

export const ZPreviewCalendarResponseSchema = z.object({
  occurrences: z.array(ZCalendarOccurrence),
  /** True when more windows fall in the period than were listed. */
  truncated: z.boolean(),
});
