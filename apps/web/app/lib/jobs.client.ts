import type { TRun } from "@opsc/contracts/execution/runs";
import type { TJobDefinitionInput } from "@opsc/contracts/jobs/definition";
import type { TJob, TJobSummary } from "@opsc/contracts/jobs/jobs";
import type { TChoice } from "@opsc/contracts/jobs/parameters";
import { redirect } from "react-router";
import { type ActionResult, formText, succeeded } from "./action-result.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { normaliseJobErrors } from "./job-draft.presenter.ts";
import {
  type FolderNode,
  folderTree,
  type JobsPaging,
  type JobsQuery,
  jobsHref,
  parseJobsQuery,
  presentJobsPaging,
  toListJobsRequest,
} from "./jobs.presenter.ts";
import { errorCode, fieldErrors, getOps } from "./ops.client.ts";
import { normaliseParameterErrors } from "./parameter-inputs.ts";

// Everything /jobs, /jobs/new, /jobs/:id/edit, /jobs/:id/run and /jobs/import ask of the API (the jobs service,
// and the execution service for a job's runs). Browser only, like every .client module.

/** A missing job (deleted, a stale link) or an id that is no UUID: the route's 404. */
function notFound(error: unknown): never {
  if (errorCode(error) === "NOT_FOUND" || errorCode(error) === "BAD_REQUEST")
    throw new Response("Job not found", { status: 404 });
  rethrowLoaderError(error);
}

// ---------------------------------------------------------------------------------------------------------
// The list

export interface JobRow extends TJobSummary {
  /** The job's newest run, when it has one. */
  lastRun: Pick<TRun, "id" | "state" | "createdAt"> | null;
}

export interface JobsListPage {
  query: JobsQuery;
  jobs: JobRow[];
  folders: FolderNode[];
  /** Tags of the jobs on this page, for the tag filter's suggestions. */
  tags: string[];
  paging: JobsPaging;
}

/** The newest run of each job: one small indexed query per job, all in one batched request. */
async function lastRuns(ids: readonly string[]): Promise<Map<string, JobRow["lastRun"]>> {
  const runs = getOps().execution.runs;
  const results = await Promise.all(
    ids.map((jobId) =>
      runs.list
        .query({ jobId, limit: 1 })
        .then((page) => page.items[0] ?? null)
        // The run state is a nicety: a failing lookup leaves the row without it rather than the page broken.
        .catch(() => null),
    ),
  );
  return new Map(
    ids.map((id, index) => {
      const run = results[index];
      return [id, run ? { id: run.id, state: run.state, createdAt: run.createdAt } : null];
    }),
  );
}

export async function loadJobsPage(request: Request): Promise<JobsListPage> {
  const query = parseJobsQuery(new URL(request.url).searchParams);
  try {
    const response = await getOps().jobs.list.query(toListJobsRequest(query));
    const runs = await lastRuns(response.items.map((job) => job.id));
    return {
      query,
      jobs: response.items.map((job) => ({ ...job, lastRun: runs.get(job.id) ?? null })),
      folders: folderTree(response.folders),
      tags: [...new Set(response.items.flatMap((job) => job.tags))].sort(),
      paging: presentJobsPaging(query, response.nextCursor),
    };
  } catch (error) {
    if (errorCode(error) === "BAD_REQUEST" && fieldErrors(error).cursor)
      throw redirect(jobsHref({ ...query, cursors: [] }));
    rethrowLoaderError(error);
  }
}

export interface JobsExport {
  yaml: string;
  count: number;
  folder: string | null;
}

/** Every job (or a folder's) as one multi-document YAML file. */
export async function loadJobsExport(request: Request): Promise<JobsExport> {
  const folder = new URL(request.url).searchParams.get("folder") || null;
  try {
    const result = await getOps().jobs.export.query(folder ? { folder } : {});
    return { yaml: result.yaml, count: result.count, folder };
  } catch (error) {
    rethrowLoaderError(error);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The editor

export async function loadJob(id: string): Promise<TJob> {
  try {
    return await getOps().jobs.get.query({ id });
  } catch (error) {
    notFound(error);
  }
}

export interface SaveJobInput {
  /** Null for a new job. */
  id: string | null;
  /** The version the edit started from. */
  baseVersion: number | null;
  name: string;
  definition: TJobDefinitionInput;
  message: string;
}

export type SaveJobResult = {
  ok: false;
  message: string;
  fieldErrors: Record<string, string>;
  conflict: boolean;
};

/**
 * Creates the job or saves a new version of it. A save that started from an older version than the latest is
 * refused by the API (CONFLICT): someone saved meanwhile, and the editor offers to reload.
 */
export async function saveJobAction(input: SaveJobInput): Promise<SaveJobResult> {
  const jobs = getOps().jobs;
  const message = input.message.trim();
  let id: string;
  try {
    if (input.id === null) {
      const job = await jobs.create.mutate({
        name: input.name,
        definition: input.definition,
        ...(message ? { message } : {}),
      });
      id = job.id;
    } else {
      const result = await jobs.update.mutate({
        id: input.id,
        baseVersion: input.baseVersion ?? 1,
        name: input.name,
        definition: input.definition,
        ...(message ? { message } : {}),
      });
      id = result.job.id;
    }
  } catch (error) {
    const failure = failureOf("save", error);
    // The API names `baseVersion` when the edit started from an older version than the latest.
    const { baseVersion: stale, ...fieldErrors } = failure.fieldErrors;
    const conflict =
      errorCode(error) === "CONFLICT" && (stale !== undefined || !Object.keys(fieldErrors).length);
    return {
      ok: false,
      conflict,
      message: conflict
        ? "Someone saved a newer version of this job while you were editing it."
        : failure.message,
      fieldErrors: normaliseJobErrors(conflict ? fieldErrors : failure.fieldErrors),
    };
  }
  throw redirect(`/jobs/${id}`);
}

// ---------------------------------------------------------------------------------------------------------
// Running a job

export interface RunJobPage {
  job: TJob;
}

export async function loadRunJob(id: string): Promise<RunJobPage> {
  return { job: await loadJob(id) };
}

export type RunJobActionResult = ActionResult<
  "run",
  { outcome: "queued" | "skipped"; runId: string | null; activeRunId: string | null }
>;

export interface RunJobRequest {
  parameters: Record<string, unknown>;
  overrideReason: string;
  idempotencyKey: string;
}

/** Starts the run; a started run opens its page, a queued or skipped one says so on the form. */
export async function runJobAction(id: string, input: RunJobRequest): Promise<RunJobActionResult> {
  let result: { outcome: "started" | "queued" | "skipped"; runId: string | null; activeRunId: string | null };
  try {
    result = await getOps().jobs.run.mutate({
      id,
      parameters: input.parameters,
      ...(input.overrideReason.trim() ? { overrideReason: input.overrideReason.trim() } : {}),
      idempotencyKey: input.idempotencyKey,
    });
  } catch (error) {
    const failure = failureOf("run" as const, error);
    return { ...failure, fieldErrors: normaliseParameterErrors(failure.fieldErrors) };
  }
  if (result.outcome === "started" && result.runId) throw redirect(`/runs/${result.runId}`);
  const outcome = result.outcome === "queued" ? "queued" : "skipped";
  return succeeded("run", outcome === "queued" ? "The run is queued." : "The run was skipped.", {
    outcome,
    runId: result.runId,
    activeRunId: result.activeRunId,
  });
}

export type ChoicesResult =
  | { key: string; ok: true; choices: TChoice[] }
  | { key: string; ok: false; message: string };

/**
 * The options of a dynamic choice parameter now (`/jobs/:id/choices?parameter=&values=&key=`), given the other
 * fields' values. `key` comes back so the form can tell an answer about the values it has now from an older one.
 */
export async function loadChoices(id: string, request: Request): Promise<ChoicesResult> {
  const params = new URL(request.url).searchParams;
  const key = params.get("key") ?? "";
  let values: Record<string, string | number | boolean | string[]> = {};
  try {
    values = JSON.parse(params.get("values") ?? "{}");
  } catch {
    // A hand-edited URL: ask without values.
  }
  try {
    const result = await getOps().jobs.choices.query({
      id,
      parameter: params.get("parameter") ?? "",
      values,
    });
    return { key, ok: true, choices: result.choices };
  } catch (error) {
    if (errorCode(error) === "UNAUTHORIZED") rethrowLoaderError(error);
    return { key, ok: false, message: failureOf("choices", error).message };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Import

export interface ImportPreview {
  applied: boolean;
  jobs: {
    document: number;
    name: string;
    action: "create" | "update" | "unchanged";
    id: string | null;
    version: number | null;
    changes: { type: "unchanged" | "added" | "removed"; lines: string[] }[] | null;
  }[];
  errors: { path: string; message: string }[];
}

export type ImportActionResult = ActionResult<"preview" | "apply", { report: ImportPreview; yaml: string }>;

export async function importJobsAction(form: FormData): Promise<ImportActionResult> {
  const intent = formText(form, "intent") === "apply" ? "apply" : "preview";
  const value = form.get("yaml");
  const yaml = typeof value === "string" ? value : "";
  if (!yaml.trim())
    return {
      intent,
      ok: false,
      message: "Paste YAML or pick a file first.",
      fieldErrors: { yaml: "Paste YAML or pick a file first" },
    };
  try {
    const report = await getOps().jobs.import.mutate({ yaml, apply: intent === "apply" });
    const count = report.jobs.filter((job) => job.action !== "unchanged").length;
    const message = report.applied
      ? `Imported: ${count} job${count === 1 ? "" : "s"} created or updated.`
      : report.errors.length
        ? "Some documents are invalid; nothing can be applied until they are fixed."
        : "Preview ready.";
    return succeeded(intent, message, { report, yaml });
  } catch (error) {
    return failureOf(intent, error);
  }
}

export async function deleteJobAction(id: string, name: string): Promise<ActionResult<"delete-job">> {
  try {
    await getOps().jobs.delete.mutate({ id });
  } catch (error) {
    return failureOf("delete-job", error);
  }
  return succeeded("delete-job", `Deleted ${name}.`);
}
