import type {
  TCalendar,
  TCalendarScope,
  TCalendarWindow,
  TCreateCalendarRequest,
} from "@opsc/contracts/jobs/calendars";
import { splitWords } from "./job-draft.presenter.ts";
import { nextUid } from "./job-draft.ts";

// Pure read models for /calendars: windows and scope in words, and the calendar form ⇄ request. A window is
// recurring (a cron expression for when it starts, and a duration) or one-off (local start and end in the
// calendar's zone).

export type WindowType = TCalendarWindow["type"];

export interface WindowDraft {
  uid: string;
  type: WindowType;
  label: string;
  cron: string;
  durationMinutes: string;
  /** datetime-local text in the calendar's zone. */
  start: string;
  end: string;
}

export interface CalendarDraft {
  name: string;
  description: string;
  timeZone: string;
  windows: WindowDraft[];
  scopeAll: boolean;
  /** Separated by commas or spaces. */
  folders: string;
  tags: string;
}

export function newWindow(type: WindowType = "recurring"): WindowDraft {
  return { uid: nextUid("window"), type, label: "", cron: "", durationMinutes: "60", start: "", end: "" };
}

export function calendarDraft(calendar: TCalendar | null, defaultZone: string): CalendarDraft {
  if (!calendar)
    return {
      name: "",
      description: "",
      timeZone: defaultZone,
      windows: [newWindow()],
      scopeAll: true,
      folders: "",
      tags: "",
    };
  const scope = calendar.scope;
  return {
    name: calendar.name,
    description: calendar.description,
    timeZone: calendar.timeZone,
    windows: calendar.windows.map((window) =>
      window.type === "recurring"
        ? {
            ...newWindow("recurring"),
            label: window.label ?? "",
            cron: window.cron,
            durationMinutes: String(window.durationMinutes),
          }
        : {
            ...newWindow("once"),
            label: window.label ?? "",
            start: window.start.slice(0, 16),
            end: window.end.slice(0, 16),
          },
    ),
    scopeAll: "all" in scope,
    folders: "folders" in scope ? scope.folders.join(", ") : "",
    tags: "tags" in scope ? scope.tags.join(", ") : "",
  };
}

/** One window as the API takes it; a duration that is not a whole number is reported at its field. */
function windowOf(
  window: WindowDraft,
  index: number,
  errors: Record<string, string>,
): Record<string, unknown> {
  const label = window.label.trim() ? { label: window.label.trim() } : {};
  if (window.type === "once") return { type: "once", ...label, start: window.start, end: window.end };
  const duration = window.durationMinutes.trim();
  if (!/^\d+$/.test(duration)) errors[`windows.${index}.durationMinutes`] = "Enter a whole number of minutes";
  return { type: "recurring", ...label, cron: window.cron.trim(), durationMinutes: Number(duration) };
}

/** The windows as the API takes them (the preview needs only these and the zone). */
export function windowsOf(
  drafts: readonly WindowDraft[],
): { ok: true; windows: TCreateCalendarRequest["windows"] } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const windows = drafts.map((window, index) => windowOf(window, index, errors));
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, windows: windows as TCreateCalendarRequest["windows"] };
}

export function calendarRequestOf(
  draft: CalendarDraft,
): { ok: true; request: TCreateCalendarRequest } | { ok: false; errors: Record<string, string> } {
  const built = windowsOf(draft.windows);
  if (!built.ok) return built;
  const scope: TCalendarScope = draft.scopeAll
    ? { all: true }
    : { folders: splitWords(draft.folders), tags: splitWords(draft.tags) };
  return {
    ok: true,
    request: {
      name: draft.name.trim(),
      description: draft.description.trim(),
      timeZone: draft.timeZone.trim() || "UTC",
      windows: built.windows,
      scope,
    },
  };
}

/** The API names an update's fields `data.<field>`; the form names them like the create request. */
export function normaliseCalendarErrors(errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    let key = path.startsWith("data.") ? path.slice("data.".length) : path;
    // A scope's folder or tag list entry is shown at its list.
    if (/^scope\.(folders|tags)\.\d+$/.test(key)) key = key.replace(/\.\d+$/, "");
    result[key] ??= message;
  }
  return result;
}

/** "30 2 * * 0 for 1 h 30 min" or "24 Dec 2026, 18:00 → 26 Dec 2026, 08:00", with the label first. */
export function describeWindow(window: TCalendarWindow): string {
  const prefix = window.label ? `${window.label}: ` : "";
  if (window.type === "recurring")
    return `${prefix}${window.cron} for ${formatMinutes(window.durationMinutes)}`;
  return `${prefix}${window.start.replace("T", " ")} → ${window.end.replace("T", " ")}`;
}

/** "45 min", "2 h", "1 h 30 min", "3 d 2 h". */
export function formatMinutes(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [days ? `${days} d` : "", hours ? `${hours} h` : "", rest ? `${rest} min` : ""].filter(
    Boolean,
  );
  return parts.join(" ") || "0 min";
}

/** "All jobs", or "Folders /db, /web · tags nightly". */
export function describeScope(scope: TCalendarScope): string {
  if ("all" in scope) return "All jobs";
  const parts: string[] = [];
  if (scope.folders.length) parts.push(`Folders ${scope.folders.join(", ")}`);
  if (scope.tags.length) parts.push(`tags ${scope.tags.join(", ")}`);
  return parts.join(" · ") || "No jobs";
}
