import type { TJobSummary } from "@opsc/contracts/jobs/jobs";
import type { TSchedule, TScheduleFire } from "@opsc/contracts/jobs/schedules";
import { redirect } from "react-router";
import { type ActionResult, formText, succeeded } from "./action-result.ts";
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
import { normaliseParameterErrors } from "./parameter-inputs.ts";
import { type ScheduleTiming, timingFromForm } from "./schedules.presenter.ts";

// Schedules: the /schedules page, a job's Schedules tab, the timing preview of the form and the fire history.

export const SCHEDULES_PAGE_SIZE = 25;

export interface SchedulesPage {
  schedules: TSchedule[];
  paging: Paging;
  /** Jobs to pick from when creating a schedule (the first 200 by name). */
  jobs: Pick<TJobSummary, "id" | "name" | "folder">[];
}

export async function loadSchedulesPage(request: Request): Promise<SchedulesPage> {
  const url = new URL(request.url);
  const page = parsePage(url.searchParams, SCHEDULES_PAGE_SIZE);
  const ops = getOps();
  const [schedules, jobs] = await Promise.all([
    ops.jobs.schedules.list.query({ sort: "nextFire", ...pageRequest(page, SCHEDULES_PAGE_SIZE) }),
    ops.jobs.list.query({ limit: 200 }),
  ]).catch(rethrowLoaderError);
  const last = pageBeyondEnd(page, SCHEDULES_PAGE_SIZE, schedules.total);
  if (last !== null) throw redirect(`${url.pathname}${pageHref(url.search, last)}`);
  return {
    schedules: schedules.items,
    paging: presentPaging(page, SCHEDULES_PAGE_SIZE, schedules.total, schedules.items.length),
    jobs: jobs.items.map(({ id, name, folder }) => ({ id, name, folder })),
  };
}

export interface SchedulePreview {
  /** The request it answers (the form compares it with what it shows now). */
  key: string;
  ok: boolean;
  instants: string[];
  message: string | null;
  /** The API's objection per field (`cron`, `timeZone`, …). */
  fieldErrors: Record<string, string>;
}

/** The next fire times of the timing in the URL (`/schedules/preview?kind=&cron=&timeZone=&at=&intervalSeconds=`). */
export async function loadSchedulePreview(request: Request): Promise<SchedulePreview> {
  const params = new URL(request.url).searchParams;
  const key = params.toString();
  const timing = timingFromForm({
    kind: params.get("kind") === "once" ? "once" : params.get("kind") === "interval" ? "interval" : "cron",
    cron: params.get("cron") ?? "",
    timeZone: params.get("timeZone") ?? "UTC",
    at: params.get("at") ?? "",
    intervalCount: params.get("intervalCount") ?? "",
    intervalUnit: params.get("intervalUnit") ?? "60",
  });
  if (!timing.ok) return { key, ok: false, instants: [], message: null, fieldErrors: timing.errors };
  try {
    const result = await getOps().jobs.schedules.preview.query({ ...timing.timing, count: 5 });
    return { key, ok: true, instants: result.instants, message: null, fieldErrors: {} };
  } catch (error) {
    const failure = failureOf("preview", error);
    return { key, ok: false, instants: [], message: failure.message, fieldErrors: failure.fieldErrors };
  }
}

export interface ScheduleFires {
  scheduleId: string;
  items: TScheduleFire[];
  total: number;
}

/** A schedule's last 20 fires, newest first (`/schedules/:id/fires`, loaded when a row is opened). */
export async function loadScheduleFires(id: string): Promise<ScheduleFires> {
  try {
    const result = await getOps().jobs.schedules.fires.query({ id, limit: 20 });
    return { scheduleId: id, items: result.items, total: result.total };
  } catch (error) {
    rethrowLoaderError(error);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Actions (posted by the schedule dialog and the rows' buttons, on /schedules and on a job's page)

export const SCHEDULE_INTENTS = [
  "create-schedule",
  "update-schedule",
  "pause-schedule",
  "resume-schedule",
  "delete-schedule",
] as const;
export type ScheduleIntent = (typeof SCHEDULE_INTENTS)[number];
export type ScheduleActionResult = ActionResult<ScheduleIntent, { schedule?: TSchedule }>;

export function isScheduleIntent(value: string): value is ScheduleIntent {
  return (SCHEDULE_INTENTS as readonly string[]).includes(value);
}

/** The dialog's fields: name, timing, policies and the parameters (JSON, already checked by the form). */
function scheduleFields(
  form: FormData,
):
  | { ok: true; timing: ScheduleTiming; parameters: Record<string, unknown> }
  | { ok: false; errors: Record<string, string> } {
  const timing = timingFromForm({
    kind:
      formText(form, "kind") === "once"
        ? "once"
        : formText(form, "kind") === "interval"
          ? "interval"
          : "cron",
    cron: formText(form, "cron"),
    timeZone: formText(form, "timeZone"),
    at: formText(form, "at"),
    intervalCount: formText(form, "intervalCount"),
    intervalUnit: formText(form, "intervalUnit") || "60",
  });
  if (!timing.ok) return timing;
  let parameters: Record<string, unknown> = {};
  try {
    parameters = JSON.parse(formText(form, "parameters") || "{}");
  } catch {
    return { ok: false, errors: { _: "The parameters could not be read; reload the page." } };
  }
  return { ok: true, timing: timing.timing, parameters };
}

export async function runScheduleAction(form: FormData): Promise<ScheduleActionResult> {
  const intent = formText(form, "intent");
  if (!isScheduleIntent(intent)) throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const schedules = getOps().jobs.schedules;
  const id = formText(form, "id");
  const label = formText(form, "label") || "the schedule";
  try {
    switch (intent) {
      case "create-schedule":
      case "update-schedule": {
        const fields = scheduleFields(form);
        if (!fields.ok)
          return { intent, ok: false, message: "Check the highlighted fields.", fieldErrors: fields.errors };
        const common = {
          name: formText(form, "name"),
          ...fields.timing,
          parameters: fields.parameters,
          misfirePolicy:
            formText(form, "misfirePolicy") === "run-once" ? ("run-once" as const) : ("skip" as const),
          blackoutPolicy: formText(form, "blackoutPolicy") === "hold" ? ("hold" as const) : ("skip" as const),
        };
        if (intent === "create-schedule") {
          const schedule = await schedules.create.mutate({ jobId: formText(form, "jobId"), ...common });
          return succeeded(intent, `Created the schedule ${schedule.name}.`, { schedule });
        }
        const schedule = await schedules.update.mutate({ id, data: common });
        return succeeded(intent, `Saved the schedule ${schedule.name}.`, { schedule });
      }
      case "pause-schedule": {
        const schedule = await schedules.pause.mutate({ id });
        return succeeded(intent, `Paused ${schedule.name}.`, { schedule });
      }
      case "resume-schedule": {
        const schedule = await schedules.resume.mutate({ id });
        return succeeded(intent, `Resumed ${schedule.name}.`, { schedule });
      }
      case "delete-schedule":
        await schedules.delete.mutate({ id });
        return succeeded(intent, `Deleted ${label}.`, {});
    }
  } catch (error) {
    const failure = failureOf(intent, error);
    return { ...failure, fieldErrors: normaliseParameterErrors(failure.fieldErrors) };
  }
}
