import type { TRun } from "@opsc/contracts/execution/runs";
import type { TJob } from "@opsc/contracts/jobs/jobs";
import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import type { TJobVersionSummary, TLineDiff } from "@opsc/contracts/jobs/versions";
import type { TWebhook, TWebhookDelivery } from "@opsc/contracts/jobs/webhooks";
import { redirect } from "react-router";
import { type ActionResult, formText, succeeded } from "./action-result.ts";
import { parseRunsQuery, presentRunsPaging, type RunsPaging, type RunsQuery } from "./execution.presenter.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { deleteJobAction, loadJob } from "./jobs.client.ts";
import { type JobTab, parseDiffPair, parseJobTab } from "./jobs.presenter.ts";
import { errorCode, fieldErrors, getOps } from "./ops.client.ts";
import { isScheduleIntent, runScheduleAction, type ScheduleActionResult } from "./schedules.client.ts";

// /jobs/:id: the job and the data of the open tab (versions and a diff, its runs, schedules or webhooks), and the
// tab's actions. Each tab loads only its own data; switching tabs is a navigation (`?tab=`).

export const JOB_RUNS_PAGE_SIZE = 25;

export interface VersionDiff {
  from: { version: number; yaml: string };
  to: { version: number; yaml: string };
  changes: TLineDiff;
}

export type JobDetailTab =
  | { tab: "versions"; versions: TJobVersionSummary[]; diff: VersionDiff | null }
  | { tab: "runs"; runs: TRun[]; query: RunsQuery; paging: RunsPaging }
  | { tab: "schedules"; schedules: TSchedule[] }
  | { tab: "webhooks"; webhooks: TWebhook[] };

export interface JobDetail {
  job: TJob;
  data: JobDetailTab;
}

async function loadTab(job: TJob, tab: JobTab, params: URLSearchParams): Promise<JobDetailTab> {
  const ops = getOps();
  switch (tab) {
    case "versions": {
      const pair = parseDiffPair(params, job.latestVersion);
      const [versions, diff] = await Promise.all([
        ops.jobs.versions.list.query({ id: job.id, limit: 200 }),
        pair ? ops.jobs.versions.diff.query({ id: job.id, ...pair }) : null,
      ]);
      return { tab, versions: versions.items, diff };
    }
    case "runs": {
      const query = parseRunsQuery(params);
      const cursor = query.cursors.at(-1);
      const page = await ops.execution.runs.list.query({
        jobId: job.id,
        ...(query.state ? { state: query.state } : {}),
        limit: JOB_RUNS_PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      return { tab, runs: page.items, query, paging: presentRunsPaging(query, page.nextCursor) };
    }
    case "schedules": {
      const result = await ops.jobs.schedules.list.query({ jobId: job.id, limit: 200 });
      return { tab, schedules: result.items };
    }
    case "webhooks": {
      const result = await ops.jobs.webhooks.list.query({ jobId: job.id });
      return { tab, webhooks: result.items };
    }
  }
}

export async function loadJobDetail(id: string, request: Request): Promise<JobDetail> {
  const job = await loadJob(id);
  const url = new URL(request.url);
  const tab = parseJobTab(url.searchParams);
  try {
    return { job, data: await loadTab(job, tab, url.searchParams) };
  } catch (error) {
    // A stale cursor of the runs tab: its first page.
    if (tab === "runs" && errorCode(error) === "BAD_REQUEST" && fieldErrors(error).cursor)
      throw redirect(`/jobs/${id}?tab=runs`);
    rethrowLoaderError(error);
  }
}

export interface WebhookDeliveries {
  webhookId: string;
  items: TWebhookDelivery[];
  total: number;
}

export async function loadWebhookDeliveries(id: string): Promise<WebhookDeliveries> {
  try {
    const result = await getOps().jobs.webhooks.deliveries.query({ id, limit: 20 });
    return { webhookId: id, items: result.items, total: result.total };
  } catch (error) {
    rethrowLoaderError(error);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Actions of the page: deleting the job, its schedules' and its webhooks' buttons and dialogs

export const WEBHOOK_INTENTS = [
  "create-webhook",
  "rotate-webhook",
  "enable-webhook",
  "disable-webhook",
  "delete-webhook",
] as const;
export type WebhookIntent = (typeof WEBHOOK_INTENTS)[number];
/** `secret` (and `url` on create) are shown once, from this result, and never again. */
export type WebhookActionResult = ActionResult<
  WebhookIntent,
  { webhook?: TWebhook; url?: string; secret?: string }
>;

function isWebhookIntent(value: string): value is WebhookIntent {
  return (WEBHOOK_INTENTS as readonly string[]).includes(value);
}

/** Rows posted as `<prefix>Key` / `<prefix>Value` pairs, as a map (blank rows dropped). */
function rowsOf(form: FormData, prefix: string): Record<string, string> {
  const keys = form.getAll(`${prefix}Key`).map(String);
  const values = form.getAll(`${prefix}Value`).map(String);
  const result: Record<string, string> = {};
  keys.forEach((key, index) => {
    const value = values[index] ?? "";
    if (key.trim() || value.trim()) result[key.trim()] = value.trim();
  });
  return result;
}

/** The API names mapping problems `parameterMapping.<name>`; the dialog shows them at the mapping list. */
function normaliseWebhookErrors(errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const key = path.startsWith("data.") ? path.slice("data.".length) : path;
    const list = /^(parameterMapping|staticParameters)\.(.+)$/.exec(key);
    if (list) result[list[1]!] ??= `${list[2]}: ${message}`;
    else result[key] ??= message;
  }
  return result;
}

async function runWebhookAction(intent: WebhookIntent, form: FormData): Promise<WebhookActionResult> {
  const webhooks = getOps().jobs.webhooks;
  const id = formText(form, "id");
  try {
    switch (intent) {
      case "create-webhook": {
        const result = await webhooks.create.mutate({
          jobId: formText(form, "jobId"),
          name: formText(form, "name"),
          parameterMapping: rowsOf(form, "mapping"),
          staticParameters: rowsOf(form, "static"),
        });
        return succeeded(intent, `Created the webhook ${result.webhook.name}.`, result);
      }
      case "rotate-webhook": {
        const result = await webhooks.rotateSecret.mutate({ id });
        return succeeded(intent, `New secret for ${result.webhook.name}.`, result);
      }
      case "enable-webhook":
      case "disable-webhook": {
        const webhook = await webhooks.update.mutate({
          id,
          data: { enabled: intent === "enable-webhook" },
        });
        return succeeded(intent, `${webhook.enabled ? "Enabled" : "Disabled"} ${webhook.name}.`, { webhook });
      }
      case "delete-webhook":
        await webhooks.delete.mutate({ id });
        return succeeded(intent, `Deleted ${formText(form, "label") || "the webhook"}.`, {});
    }
  } catch (error) {
    const failure = failureOf(intent, error);
    return { ...failure, fieldErrors: normaliseWebhookErrors(failure.fieldErrors) };
  }
}

export type JobDetailActionResult = ScheduleActionResult | WebhookActionResult | ActionResult<"delete-job">;

export async function runJobDetailAction(jobId: string, form: FormData): Promise<JobDetailActionResult> {
  const intent = formText(form, "intent");
  if (intent === "delete-job") {
    const result = await deleteJobAction(jobId, formText(form, "label"));
    if (result.ok) throw redirect("/jobs");
    return result;
  }
  if (isScheduleIntent(intent)) return runScheduleAction(form);
  if (isWebhookIntent(intent)) return runWebhookAction(intent, form);
  throw new Response(`Unknown intent: ${intent}`, { status: 400 });
}
