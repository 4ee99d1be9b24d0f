import { type AuditActor, recordAudit } from "@opsc/audit";
import {
  CALENDAR_LIMITS,
  type TCalendar,
  type TCalendarWindow,
  type ZCreateCalendarRequestSchema,
  type ZListCalendarsRequestSchema,
  type ZPreviewCalendarRequestSchema,
  type ZUpdateCalendarRequestSchema,
} from "@opsc/contracts/jobs/calendars";
import { AppError, notFound } from "@opsc/server-kit";
import { Cron } from "croner";
import type { Kysely, Selectable } from "kysely";
import type { z } from "zod";
import type { JobsDatabase } from "../database.ts";
import * as repo from "./calendars.repository.ts";
import type { CalendarsTable } from "./calendars.table.ts";
import { localToInstant, occurrencesBetween } from "./windows.ts";

export interface CalendarsDeps {
  db: Kysely<JobsDatabase>;
}

type Row = Selectable<CalendarsTable>;

function toDto(row: Row): TCalendar {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    timeZone: row.time_zone,
    windows: row.windows,
    scope: row.scope,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A local date-time the calendar would roll over (February 30th) is refused, not moved. */
function isRealDate(local: string): boolean {
  const [date] = local.split("T");
  const [year, month, day] = date!.split("-").map(Number);
  const check = new Date(Date.UTC(year!, month! - 1, day!));
  return check.getUTCMonth() === month! - 1 && check.getUTCDate() === day;
}

/** Checks what the contract cannot: cron fields croner accepts, real dates, an end after the start in the zone. */
export function checkWindows(timeZone: string, windows: TCalendarWindow[], field: string): void {
  windows.forEach((window, index) => {
    const at = `${field}.${index}`;
    if (window.type === "recurring") {
      try {
        new Cron(window.cron, { timezone: timeZone, paused: true, mode: "5-part" }).nextRun();
      } catch (error) {
        throw new AppError("BAD_REQUEST", {
          field: `${at}.cron`,
          message: `Not a cron expression: ${(error as Error).message.replace(/^Cron(Pattern|Date): /, "")}`,
        });
      }
      return;
    }
    for (const key of ["start", "end"] as const)
      if (!isRealDate(window[key]))
        throw new AppError("BAD_REQUEST", { field: `${at}.${key}`, message: "This date does not exist" });
    // Read in the zone, a start and end in a DST change may swap; the window must still have a length.
    if (localToInstant(window.end, timeZone) <= localToInstant(window.start, timeZone))
      throw new AppError("BAD_REQUEST", { field: `${at}.end`, message: "end must be after start" });
  });
}

function conflictOnName(field: string) {
  return (error: unknown): never => {
    if ((error as { constraint?: string }).constraint === "calendars_name_key")
      throw new AppError("CONFLICT", { field, message: "A calendar with this name already exists" });
    throw error;
  };
}

export async function listCalendars(
  deps: CalendarsDeps,
  input: z.output<typeof ZListCalendarsRequestSchema>,
) {
  const { rows, total } = await repo.listPage(deps.db, input);
  return { items: rows.map(toDto), total };
}

export async function getCalendar(deps: CalendarsDeps, id: string) {
  const row = await repo.findById(deps.db, id);
  if (!row) throw notFound("Calendar");
  return toDto(row);
}

export async function createCalendar(
  deps: CalendarsDeps,
  actor: AuditActor,
  input: z.output<typeof ZCreateCalendarRequestSchema>,
) {
  checkWindows(input.timeZone, input.windows, "windows");
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo
      .insert(trx, {
        name: input.name,
        description: input.description,
        time_zone: input.timeZone,
        windows: JSON.stringify(input.windows),
        scope: JSON.stringify(input.scope),
        created_by: actor.actorId,
      })
      .catch(conflictOnName("name"));
    const calendar = toDto(row);
    await recordAudit(trx, actor, {
      action: "calendar.created",
      resourceType: "calendar",
      resourceId: calendar.id,
      after: calendar,
    });
    return calendar;
  });
}

export async function updateCalendar(
  deps: CalendarsDeps,
  actor: AuditActor,
  input: z.output<typeof ZUpdateCalendarRequestSchema>,
) {
  const { data } = input;
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Calendar");
    // A new zone changes how the stored windows read: they are checked again in it.
    checkWindows(data.timeZone ?? before.time_zone, data.windows ?? before.windows, "data.windows");
    const row = await repo
      .update(trx, input.id, {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.timeZone !== undefined ? { time_zone: data.timeZone } : {}),
        ...(data.windows !== undefined ? { windows: JSON.stringify(data.windows) } : {}),
        ...(data.scope !== undefined ? { scope: JSON.stringify(data.scope) } : {}),
      })
      .catch(conflictOnName("data.name"));
    const after = toDto(row);
    await recordAudit(trx, actor, {
      action: "calendar.updated",
      resourceType: "calendar",
      resourceId: input.id,
      before: toDto(before),
      after,
    });
    return after;
  });
}

export async function deleteCalendar(deps: CalendarsDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Calendar");
    await repo.remove(trx, id);
    await recordAudit(trx, actor, {
      action: "calendar.deleted",
      resourceType: "calendar",
      resourceId: id,
      before: toDto(before),
    });
  });
  return { success: true as const };
}

/** The windows of a saved calendar, or of one being edited, that overlap the next `days` days from `from`. */
export async function previewCalendar(
  deps: CalendarsDeps,
  input: z.output<typeof ZPreviewCalendarRequestSchema>,
) {
  let timeZone: string;
  let windows: TCalendarWindow[];
  if (input.id !== undefined) {
    const row = await repo.findById(deps.db, input.id);
    if (!row) throw notFound("Calendar");
    timeZone = row.time_zone;
    windows = row.windows;
  } else {
    timeZone = input.timeZone ?? "UTC";
    windows = input.windows!;
    checkWindows(timeZone, windows, "windows");
  }
  const from = input.from ? new Date(input.from) : new Date();
  const until = new Date(from.getTime() + input.days * 86_400_000);
  const { occurrences, truncated } = occurrencesBetween(
    { timeZone, windows },
    from,
    until,
    CALENDAR_LIMITS.maxPreviewWindows,
  );
  return {
    occurrences: occurrences.map((occurrence) => ({
      window: occurrence.window,
      label: occurrence.label,
      start: occurrence.start.toISOString(),
      end: occurrence.end.toISOString(),
    })),
    truncated,
  };
}
