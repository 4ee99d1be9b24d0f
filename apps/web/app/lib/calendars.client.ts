import type { TCalendar, TCalendarOccurrence } from "@opsc/contracts/jobs/calendars";
import { redirect } from "react-router";
import { type ActionResult, formText, succeeded } from "./action-result.ts";
import {
  type CalendarDraft,
  calendarRequestOf,
  normaliseCalendarErrors,
  windowsOf,
} from "./calendars.presenter.ts";
import {
  type Paging,
  pageBeyondEnd,
  pageHref,
  pageRequest,
  parsePage,
  presentPaging,
} from "./discovery.presenter.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { getOps } from "./ops.client.ts";

// Calendars (blackout windows): the /calendars page, its form and the upcoming windows preview.

export const CALENDARS_PAGE_SIZE = 25;

export interface CalendarsPage {
  calendars: TCalendar[];
  paging: Paging;
}

export async function loadCalendarsPage(request: Request): Promise<CalendarsPage> {
  const url = new URL(request.url);
  const page = parsePage(url.searchParams, CALENDARS_PAGE_SIZE);
  const result = await getOps()
    .jobs.calendars.list.query(pageRequest(page, CALENDARS_PAGE_SIZE))
    .catch(rethrowLoaderError);
  const last = pageBeyondEnd(page, CALENDARS_PAGE_SIZE, result.total);
  if (last !== null) throw redirect(`${url.pathname}${pageHref(url.search, last)}`);
  return {
    calendars: result.items,
    paging: presentPaging(page, CALENDARS_PAGE_SIZE, result.total, result.items.length),
  };
}

export interface CalendarPreview {
  key: string;
  ok: boolean;
  occurrences: TCalendarOccurrence[];
  truncated: boolean;
  message: string | null;
}

/**
 * The upcoming windows (14 days) of a saved calendar (`/calendars/preview?id=`) or of the form's zone and windows
 * (`?draft=<json>`), with the key of the request so the page can tell which one an answer is about.
 */
export async function loadCalendarPreview(request: Request): Promise<CalendarPreview> {
  const params = new URL(request.url).searchParams;
  const key = params.get("key") ?? "";
  const calendars = getOps().jobs.calendars;
  try {
    const id = params.get("id");
    if (id) {
      const result = await calendars.preview.query({ id, days: 14 });
      return { key, ok: true, ...result, message: null };
    }
    const draft = JSON.parse(params.get("draft") ?? "{}") as Partial<
      Pick<CalendarDraft, "timeZone" | "windows">
    >;
    const built = windowsOf(draft.windows ?? []);
    if (!built.ok || !built.windows.length)
      return { key, ok: false, occurrences: [], truncated: false, message: "Fix the windows to see them" };
    const result = await calendars.preview.query({
      timeZone: draft.timeZone?.trim() || "UTC",
      windows: built.windows,
      days: 14,
    });
    return { key, ok: true, ...result, message: null };
  } catch (error) {
    if (error instanceof SyntaxError)
      return { key, ok: false, occurrences: [], truncated: false, message: "Not a calendar" };
    const failure = failureOf("preview", error);
    const first = Object.entries(normaliseCalendarErrors(failure.fieldErrors))[0];
    return {
      key,
      ok: false,
      occurrences: [],
      truncated: false,
      message: first ? `${first[0]}: ${first[1]}` : failure.message,
    };
  }
}

export const CALENDAR_INTENTS = ["create-calendar", "update-calendar", "delete-calendar"] as const;
export type CalendarIntent = (typeof CALENDAR_INTENTS)[number];
export type CalendarActionResult = ActionResult<CalendarIntent, { calendar?: TCalendar }>;

export async function runCalendarAction(form: FormData): Promise<CalendarActionResult> {
  const intent = formText(form, "intent");
  if (!(CALENDAR_INTENTS as readonly string[]).includes(intent))
    throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const typed = intent as CalendarIntent;
  const calendars = getOps().jobs.calendars;
  const id = formText(form, "id");
  try {
    if (typed === "delete-calendar") {
      await calendars.delete.mutate({ id });
      return succeeded(typed, `Deleted ${formText(form, "label") || "the calendar"}.`, {});
    }
    const draft = JSON.parse(formText(form, "draft")) as CalendarDraft;
    const built = calendarRequestOf(draft);
    if (!built.ok)
      return {
        intent: typed,
        ok: false,
        message: "Check the highlighted fields.",
        fieldErrors: built.errors,
      };
    const calendar =
      typed === "create-calendar"
        ? await calendars.create.mutate(built.request)
        : await calendars.update.mutate({ id, data: built.request });
    return succeeded(typed, `Saved the calendar ${calendar.name}.`, { calendar });
  } catch (error) {
    const failure = failureOf(typed, error);
    return { ...failure, fieldErrors: normaliseCalendarErrors(failure.fieldErrors) };
  }
}
