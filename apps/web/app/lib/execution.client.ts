import type { TArtifact } from "@opsc/contracts/execution/artifacts";
import type { TLogChunk, TRun, TTask, TTaskState } from "@opsc/contracts/execution/runs";
import type { TProfileResponse } from "@opsc/contracts/users/me";
import { redirect } from "react-router";
import { type ActionResult, formText, succeeded } from "./action-result.ts";
import {
  formatLogLine,
  LogSplitter,
  normaliseRunErrors,
  parseRunsQuery,
  presentRunsPaging,
  type RunsPaging,
  type RunsQuery,
  runsHref,
  startRunInputFromForm,
  TASKS_PAGE_SIZE,
  type TaskPage,
  toListRunsRequest,
} from "./execution.presenter.ts";
import { isJobRun, type RunLineage } from "./execution-jobs.presenter.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { errorCode, fieldErrors, getOps } from "./ops.client.ts";
import { hasRole } from "./roles.ts";

// ---------------------------------------------------------------------------------------------------------
// Who started a run: the API returns user ids; admins may look users up, everyone else sees "you" or a short id.

const userNames = new Map<string, string | null>();

/** Names of the users behind `ids` (admins only; others get an empty map). Looked up once per id per page load. */
async function resolveUserNames(
  ids: readonly (string | null)[],
  profile: TProfileResponse,
): Promise<Record<string, string>> {
  const result: Record<string, string> = { [profile.user.id]: profile.user.name };
  if (!hasRole(profile.effectiveRole, "admin")) return result;
  const unknown = [...new Set(ids)].filter(
    (id): id is string => id !== null && id !== profile.user.id && !userNames.has(id),
  );
  await Promise.all(
    unknown.map(async (id) => {
      try {
        userNames.set(id, (await getOps().users.accounts.get.query({ id })).name);
      } catch {
        // A deleted user (or an id that is no user's, like an API client): the short id stays.
        userNames.set(id, null);
      }
    }),
  );
  for (const id of ids) {
    const name = id ? userNames.get(id) : null;
    if (id && name) result[id] = name;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Loaders

export interface RunsPage {
  query: RunsQuery;
  runs: TRun[];
  paging: RunsPaging;
  names: Record<string, string>;
  /** The job `?jobId=` filters by, with its name when known. */
  job: { id: string; name: string | null } | null;
}

/** The name of the job the list is filtered by: from its runs on the page, else the jobs service, else unknown. */
async function jobNameOf(jobId: string, runs: readonly TRun[]): Promise<string | null> {
  const named = runs.find((run) => run.job?.id === jobId)?.job?.name;
  if (named) return named;
  try {
    return (await getOps().jobs.get.query({ id: jobId })).name;
  } catch {
    // A deleted job keeps its runs; the filter shows its short id.
    return null;
  }
}

/** /runs: one keyset page, newest first, filtered by state, "mine" and job. */
export async function loadRunsPage(request: Request): Promise<RunsPage> {
  const query = parseRunsQuery(new URL(request.url).searchParams);
  try {
    const ops = getOps();
    const me = ops.users.me.get.query();
    // "Mine" needs the user's id first; otherwise both go out at once.
    const [profile, response] = await Promise.all([
      me,
      query.mine
        ? me.then((profile) => ops.execution.runs.list.query(toListRunsRequest(query, profile.user.id)))
        : ops.execution.runs.list.query(toListRunsRequest(query, null)),
    ]);
    const [names, jobName] = await Promise.all([
      resolveUserNames(
        response.items.map((run) => run.createdBy),
        profile,
      ),
      query.jobId ? jobNameOf(query.jobId, response.items) : null,
    ]);
    return {
      query,
      runs: response.items,
      paging: presentRunsPaging(query, response.nextCursor),
      names,
      job: query.jobId ? { id: query.jobId, name: jobName } : null,
    };
  } catch (error) {
    // A cursor from an old link (or edited): start over at the first page.
    if (errorCode(error) === "BAD_REQUEST" && fieldErrors(error).cursor)
      throw redirect(runsHref({ ...query, cursors: [] }));
    rethrowLoaderError(error);
  }
}

export interface RunDetail {
  run: TRun;
  /** The run this one retries, when it still exists. */
  retried: { id: string; name: string } | null;
  names: Record<string, string>;
  /** A job run's retries and resumes, parent and child runs; null for an ad-hoc run. */
  lineage: RunLineage | null;
}

export async function loadRunDetail(id: string): Promise<RunDetail> {
  const ops = getOps();
  try {
    // One batched request: the lineage is asked for alongside, and dropped for an ad-hoc run.
    const [run, profile, lineage] = await Promise.all([
      ops.execution.runs.get.query({ id }),
      ops.users.me.get.query(),
      ops.execution.runs.lineage.query({ id }).catch(() => null),
    ]);
    const [retried, names] = await Promise.all([
      run.retryOf
        ? ops.execution.runs.get
            .query({ id: run.retryOf })
            .then((original) => ({ id: original.id, name: original.name }))
            .catch(() => ({ id: run.retryOf!, name: run.retryOf!.slice(0, 8) }))
        : null,
      resolveUserNames([run.createdBy], profile),
    ]);
    return { run, retried, names, lineage: isJobRun(run) ? lineage : null };
  } catch (error) {
    if (errorCode(error) === "NOT_FOUND" || errorCode(error) === "BAD_REQUEST")
      throw new Response("Run not found", { status: 404 });
    rethrowLoaderError(error);
  }
}

export interface NewRunDefaults {
  /** From `?selector=` (the targets page's "Run command" passes its selector). */
  selector: string;
}

export function loadNewRun(request: Request): NewRunDefaults {
  return { selector: (new URL(request.url).searchParams.get("selector") ?? "").trim().slice(0, 2000) };
}

// ---------------------------------------------------------------------------------------------------------
// Actions

/** `retry`: failed targets from the start; `resume`: from their failed step; `resume-target`: one target's. */
export const EXECUTION_INTENTS = ["start", "cancel", "retry", "resume", "resume-target"] as const;
export type ExecutionIntent = (typeof EXECUTION_INTENTS)[number];
export type ExecutionActionResult = ActionResult<ExecutionIntent, { run?: TRun }>;

function isExecutionIntent(value: string): value is ExecutionIntent {
  return (EXECUTION_INTENTS as readonly string[]).includes(value);
}

function apiFailure(intent: ExecutionIntent, error: unknown): ExecutionActionResult {
  const failure = failureOf(intent, error);
  if (intent !== "start") {
    // No form around a retry's button: the API's reason ("No failed targets to resume") is the message.
    const reason = Object.values(failure.fieldErrors)[0];
    return reason ? { ...failure, message: reason } : failure;
  }
  return { ...failure, fieldErrors: normaliseRunErrors(failure.fieldErrors) };
}

/**
 * Starting a run (/runs/new), cancelling it, retrying its failed targets and resuming a job run's failed targets
 * (all, or one) from the step where they failed (/runs/:id). A started, retried or resumed run is shown at once:
 * the action redirects to its page.
 */
export async function runExecutionAction(form: FormData): Promise<ExecutionActionResult> {
  const intent = formText(form, "intent");
  if (!isExecutionIntent(intent)) throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const runs = getOps().execution.runs;
  let started: TRun;
  try {
    switch (intent) {
      case "start": {
        const parsed = startRunInputFromForm(form);
        if (!parsed.ok)
          return {
            intent,
            ok: false,
            message: "Check the highlighted fields.",
            fieldErrors: parsed.fieldErrors,
          };
        started = (await runs.start.mutate(parsed.input)).run;
        break;
      }
      case "cancel": {
        const run = await runs.cancel.mutate({ id: formText(form, "id") });
        return succeeded(intent, `Cancelling ${run.name}.`, { run });
      }
      case "retry":
        started = (await runs.retry.mutate({ id: formText(form, "id"), which: "failed" })).run;
        break;
      case "resume":
        started = (
          await runs.retry.mutate({ id: formText(form, "id"), which: "failed", from: "failed-step" })
        ).run;
        break;
      case "resume-target":
        started = (
          await runs.retry.mutate({
            id: formText(form, "id"),
            which: "failed",
            from: "failed-step",
            targetIds: [formText(form, "targetId")],
          })
        ).run;
        break;
    }
  } catch (error) {
    return apiFailure(intent, error);
  }
  throw redirect(`/runs/${started.id}`);
}

// ---------------------------------------------------------------------------------------------------------
// Live data for the run page: task pages as the grid scrolls, the log tail, one target's log download, the saved
// files. These are called from the page's effects (the route hands them to the components), never while rendering.

export interface TaskQuery {
  runId: string;
  state: TTaskState | null;
  search: string;
}

/** A page of a run's tasks from `cursor`; `limit` below a page reloads only its first rows (what is on screen). */
async function listTasks(
  query: TaskQuery,
  cursor: string | null,
  signal?: AbortSignal,
  limit = TASKS_PAGE_SIZE,
): Promise<TaskPage> {
  const response = await getOps().execution.tasks.list.query(
    {
      runId: query.runId,
      ...(query.state ? { state: query.state } : {}),
      ...(query.search ? { search: query.search } : {}),
      limit,
      ...(cursor ? { cursor } : {}),
    },
    { signal },
  );
  return { cursor, items: response.items, nextCursor: response.nextCursor };
}

/** One task as it is now (the selected task's details). */
async function getTask(id: string, signal?: AbortSignal): Promise<TTask> {
  return getOps().execution.tasks.get.query({ id }, { signal });
}

async function readLog(
  input: { runId: string; taskId: string | null; after: string | null },
  signal?: AbortSignal,
): Promise<{ items: TLogChunk[]; nextOffset: string | null; complete: boolean }> {
  return getOps().execution.logs.read.query(
    {
      runId: input.runId,
      ...(input.taskId ? { taskId: input.taskId } : {}),
      ...(input.after ? { after: input.after } : {}),
      limit: 5000,
    },
    { signal },
  );
}

export interface TailHandlers {
  onChunk: (chunk: TLogChunk) => void;
  /** The run is over and every chunk was sent. */
  onComplete: () => void;
  onError: (error: unknown) => void;
}

/** Follows the log live (server-sent events) after `after`; returns the unsubscribe. */
function tailLog(
  input: { runId: string; taskId: string | null; after: string | null },
  handlers: TailHandlers,
): () => void {
  const subscription = getOps().execution.logs.tail.subscribe(
    {
      runId: input.runId,
      ...(input.taskId ? { taskId: input.taskId } : {}),
      ...(input.after ? { after: input.after } : {}),
    },
    {
      onData: ({ data }) => handlers.onChunk(data),
      onComplete: handlers.onComplete,
      onError: handlers.onError,
    },
  );
  return () => subscription.unsubscribe();
}

/**
 * One task's whole log as a file, read page by page from the API. Each page becomes a Blob, so the browser may keep
 * the parts on disk rather than in one string. (The whole run's log is a plain link to the service's `log.txt`.)
 */
async function downloadLog(input: { runId: string; taskId: string }, signal?: AbortSignal): Promise<Blob> {
  const splitter = new LogSplitter();
  const parts: Blob[] = [];
  const write = (lines: ReturnType<LogSplitter["push"]>) => {
    if (!lines.length) return;
    parts.push(new Blob([`${lines.map((line) => formatLogLine(line, null)).join("\n")}\n`]));
  };
  let after: string | null = null;
  for (;;) {
    const page = await readLog({ ...input, after }, signal);
    write(page.items.flatMap((chunk) => splitter.push(chunk)));
    if (page.complete || page.items.length === 0 || !page.nextOffset) break;
    after = page.nextOffset;
  }
  write(splitter.flush());
  return new Blob(parts, { type: "text/plain;charset=utf-8" });
}

export interface ArtifactPage {
  items: TArtifact[];
  nextCursor: string | null;
}

/** A page of the files a run's tasks saved (or one task's), oldest first, from `cursor`. */
async function listArtifacts(
  input: { runId: string; taskId: string | null; cursor: string | null; limit: number },
  signal?: AbortSignal,
): Promise<ArtifactPage> {
  const response = await getOps().execution.artifacts.list.query(
    {
      runId: input.runId,
      ...(input.taskId ? { taskId: input.taskId } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
      limit: input.limit,
    },
    { signal },
  );
  return { items: response.items, nextCursor: response.nextCursor };
}

export interface ExecutionLiveApi {
  listTasks: typeof listTasks;
  getTask: typeof getTask;
  readLog: typeof readLog;
  tailLog: typeof tailLog;
  downloadLog: typeof downloadLog;
  listArtifacts: typeof listArtifacts;
}

export const executionLiveApi: ExecutionLiveApi = {
  listTasks,
  getTask,
  readLog,
  tailLog,
  downloadLog,
  listArtifacts,
};

export type { TArtifact, TTask };
