import type { TCalendarScope, TCalendarWindow } from "@opsc/contracts/jobs/calendars";
import { Cron } from "croner";

/**
 * Blackout windows in time: when each window of a calendar starts and ends. A recurring window starts whenever its
 * 5-field cron expression matches in the calendar's zone, as croner computes it (so on the spring-forward day a
 * window "every Sunday 02:30" starts at 03:00, when the clock has jumped), and lasts `durationMinutes` of real time.
 * A one-off window's local start and end are read in the zone; a local time the clock skips is read as the same
 * wall time after the jump, and one that happens twice as its first occurrence (croner's reading).
 */

export interface CalendarTime {
  timeZone: string;
  windows: TCalendarWindow[];
}

export interface Occurrence {
  window: number;
  label: string | null;
  start: Date;
  end: Date;
}

const MINUTE_MS = 60_000;

/** The instant of a local date-time (`2026-12-24T18:00`) in a zone. */
export function localToInstant(local: string, timeZone: string): Date {
  const text = local.length === 16 ? `${local}:00` : local;
  const once = new Cron(text, { timezone: timeZone, paused: true });
  const instant = once.getOnce();
  if (!instant) throw new Error(`not a local date-time: ${local}`);
  return instant;
}

function recurring(window: Extract<TCalendarWindow, { type: "recurring" }>, timeZone: string): Cron {
  return new Cron(window.cron, { timezone: timeZone, paused: true, mode: "5-part" });
}

/** Whole seconds just after `at`: croner's previous runs are strictly before their reference, and whole seconds. */
function justAfter(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000 + 1000);
}

/** The occurrence of one window that covers `at` (start ≤ at < end), if any. */
export function occurrenceAt(calendar: CalendarTime, index: number, at: Date): Occurrence | null {
  const window = calendar.windows[index]!;
  const label = window.label ?? null;
  if (window.type === "once") {
    const start = localToInstant(window.start, calendar.timeZone);
    const end = localToInstant(window.end, calendar.timeZone);
    return start <= at && at < end ? { window: index, label, start, end } : null;
  }
  // The latest start at or before `at` has the latest end: every occurrence lasts the same.
  const [start] = recurring(window, calendar.timeZone).previousRuns(1, justAfter(at));
  if (!start || start.getTime() > at.getTime()) return null;
  const end = new Date(start.getTime() + window.durationMinutes * MINUTE_MS);
  return at < end ? { window: index, label, start, end } : null;
}

/** The open occurrence of the calendar at `at` that ends last, or null. */
export function activeOccurrence(calendar: CalendarTime, at: Date): Occurrence | null {
  let found: Occurrence | null = null;
  calendar.windows.forEach((_, index) => {
    const occurrence = occurrenceAt(calendar, index, at);
    if (occurrence && (!found || occurrence.end > found.end)) found = occurrence;
  });
  return found;
}

/**
 * The occurrences that overlap `[from, until)`, sorted by start, at most `limit` (and whether more were left out).
 * A window already open at `from` is included.
 */
export function occurrencesBetween(
  calendar: CalendarTime,
  from: Date,
  until: Date,
  limit: number,
): { occurrences: Occurrence[]; truncated: boolean } {
  const all: Occurrence[] = [];
  let truncated = false;
  calendar.windows.forEach((window, index) => {
    const label = window.label ?? null;
    if (window.type === "once") {
      const start = localToInstant(window.start, calendar.timeZone);
      const end = localToInstant(window.end, calendar.timeZone);
      if (start < until && end > from) all.push({ window: index, label, start, end });
      return;
    }
    const durationMs = window.durationMinutes * MINUTE_MS;
    // Starting one duration back catches the occurrence open at `from`.
    const iterator = recurring(window, calendar.timeZone).enumerate(
      new Date(from.getTime() - durationMs - 1000),
    );
    let taken = 0;
    for (const start of iterator) {
      if (start >= until) break;
      const end = new Date(start.getTime() + durationMs);
      if (end <= from) continue;
      // One more than the limit per window is enough to know the whole list is truncated.
      if (taken++ > limit) {
        truncated = true;
        break;
      }
      all.push({ window: index, label, start, end });
    }
  });
  all.sort((a, b) => a.start.getTime() - b.start.getTime() || a.window - b.window);
  if (all.length > limit) truncated = true;
  return { occurrences: all.slice(0, limit), truncated };
}

/** Whether a calendar's scope covers a job: all jobs, or its folder (or a parent of it) or one of its tags. */
export function scopeCovers(scope: TCalendarScope, job: { folder: string; tags: string[] }): boolean {
  if ("all" in scope) return true;
  const inFolder = scope.folders.some(
    (folder) => folder === "/" || job.folder === folder || job.folder.startsWith(`${folder}/`),
  );
  return inFolder || scope.tags.some((tag) => job.tags.includes(tag));
}
