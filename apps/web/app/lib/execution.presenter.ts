import type { TAction } from "@opsc/contracts/execution/actions";
import type {
  TLogChunk,
  TRun,
  TRunState,
  TStartRunRequest,
  TTask,
  TTaskCounts,
  TTaskState,
} from "@opsc/contracts/execution/runs";
import type { BadgeTone } from "../components/ui/badge.tsx";

export type TShell = Extract<TAction, { type: "command" }>["shell"];

// Pure read models for /runs, /runs/new and /runs/:id. No SDK and no runtime values from the contracts (they would
// pull zod into the browser): the lists below mirror RUN_STATES, TASK_STATES and SHELLS of the execution contract.

export const RUN_STATES = [
  "queued",
  "running",
  "cancelling",
  "succeeded",
  "failed",
  "cancelled",
] as const satisfies readonly TRunState[];
export const TASK_STATES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
] as const satisfies readonly TTaskState[];
export const SHELLS = ["sh", "bash", "zsh", "python3", "pwsh"] as const satisfies readonly TShell[];

const ACTIVE_RUN_STATES: readonly TRunState[] = ["queued", "running", "cancelling"];

/** A run still moving: its pages poll while one is shown. */
export function isRunActive(state: TRunState): boolean {
  return ACTIVE_RUN_STATES.includes(state);
}

export function isTaskActive(state: TTaskState): boolean {
  return state === "queued" || state === "running";
}

export const RUN_STATE_LABELS: Record<TRunState, string> = {
  queued: "Queued",
  running: "Running",
  cancelling: "Cancelling",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const RUN_STATE_TONES: Record<TRunState, BadgeTone> = {
  queued: "neutral",
  running: "indigo",
  cancelling: "amber",
  succeeded: "green",
  failed: "red",
  cancelled: "amber",
};

export const TASK_STATE_LABELS: Record<TTaskState, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  timed_out: "Timed out",
  cancelled: "Cancelled",
  skipped: "Skipped",
};

export const TASK_STATE_TONES: Record<TTaskState, BadgeTone> = {
  queued: "neutral",
  running: "indigo",
  succeeded: "green",
  failed: "red",
  timed_out: "red",
  cancelled: "amber",
  skipped: "neutral",
};

export function isRunState(value: string): value is TRunState {
  return (RUN_STATES as readonly string[]).includes(value);
}

export function isTaskState(value: string): value is TTaskState {
  return (TASK_STATES as readonly string[]).includes(value);
}

/** Milliseconds between revalidations of the runs list while a run on it is active. */
export const LIST_POLL_MS = 2_000;
/** Milliseconds between revalidations of a run (and its visible tasks) while it is active. */
export const RUN_POLL_MS = 1_500;

// ---------------------------------------------------------------------------------------------------------
// Counts and durations

/** The counter of each task state in a run's `counts`. */
export const COUNT_OF: Record<TTaskState, keyof TTaskCounts> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timedOut",
  cancelled: "cancelled",
  skipped: "skipped",
};

export function countOf(counts: TTaskCounts, state: TTaskState): number {
  return counts[COUNT_OF[state]];
}

/** Finished states first (left to right as a run progresses), then what is still moving. */
const SEGMENT_ORDER: readonly TTaskState[] = [
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
  "running",
  "queued",
];

/** Tailwind background classes of the counts bar, per task state. */
export const SEGMENT_CLASSES: Record<TTaskState, string> = {
  succeeded: "bg-emerald-500",
  failed: "bg-red-500",
  timed_out: "bg-orange-500",
  cancelled: "bg-amber-400",
  skipped: "bg-slate-400 dark:bg-slate-500",
  running: "bg-indigo-500",
  queued: "bg-slate-200 dark:bg-slate-700",
};

export interface CountSegment {
  state: TTaskState;
  label: string;
  count: number;
  /** Share of the run's tasks, 0–100. */
  percent: number;
  className: string;
}

/** The counts bar: one segment per state that has tasks, widths adding up to 100%. */
export function countSegments(counts: TTaskCounts): CountSegment[] {
  const total = counts.total;
  if (total <= 0) return [];
  return SEGMENT_ORDER.flatMap((state) => {
    const count = countOf(counts, state);
    if (count <= 0) return [];
    return [
      {
        state,
        label: TASK_STATE_LABELS[state],
        count,
        percent: (count / total) * 100,
        className: SEGMENT_CLASSES[state],
      },
    ];
  });
}

/** "3 succeeded, 1 failed, 2 running of 6", for the bar's label and tooltips. */
export function describeCounts(counts: TTaskCounts): string {
  const parts = countSegments(counts).map((segment) => `${segment.count} ${segment.label.toLowerCase()}`);
  const targets = `${counts.total} ${counts.total === 1 ? "target" : "targets"}`;
  return parts.length ? `${parts.join(", ")} of ${targets}` : targets;
}

/** Tasks that ended badly (failed or timed out): what "Retry failed" runs again. */
export function failedCount(counts: TTaskCounts): number {
  return counts.failed + counts.timedOut;
}

/** "850 ms", "4.2 s", "42 s", "4 min 05 s", "2 h 03 min"; "—" without a value. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** How long a run (or task) took, or has been going while it still runs. */
export function elapsedMs(
  item: { durationMs: number | null; startedAt: string | null; finishedAt: string | null },
  now: Date,
): number | null {
  if (item.durationMs !== null) return item.durationMs;
  if (!item.startedAt || item.finishedAt) return null;
  return Math.max(0, now.getTime() - new Date(item.startedAt).getTime());
}

/** What an ad-hoc run does, on one line: the command's first line, "script (12 lines)", "GET /health". */
export function describeAction(action: NonNullable<TRun["action"]>): string {
  switch (action.type) {
    case "command": {
      const [first = "", ...rest] = action.command.split("\n");
      return rest.length ? `${first} …` : first;
    }
    case "script": {
      const lines = action.script.split("\n").filter((line) => line.trim()).length;
      return `${action.shell} script (${lines} ${lines === 1 ? "line" : "lines"})`;
    }
    case "http":
      return `${action.method} ${action.path}`;
    case "noop":
      return action.sleepMs ? `no-op, ${formatDuration(action.sleepMs)}` : "no-op";
  }
}

/** What a run does: an ad-hoc run's action, or a job run's steps ("3 steps: build → deploy → verify"). */
export function describeRunWork(run: Pick<TRun, "action" | "steps">): string {
  if (run.action) return describeAction(run.action);
  const count = run.steps.length;
  return `${count} ${count === 1 ? "step" : "steps"}: ${run.steps.map((step) => step.key).join(" → ")}`;
}

export function formatFailureThreshold(threshold: TRun["failureThreshold"]): string {
  if (!threshold) return "none";
  if (threshold.count !== undefined)
    return `${threshold.count} failed ${threshold.count === 1 ? "task" : "tasks"}`;
  if (threshold.percent !== undefined) return `${threshold.percent}% failed`;
  return "none";
}

/** Who started a run: "you", the user's name when it is known, else a short id; "the system" without one. */
export function whoLabel(createdBy: string | null, me: string, names: Record<string, string>): string {
  if (createdBy === null) return "the system";
  if (createdBy === me) return "you";
  return names[createdBy] ?? `user ${createdBy.slice(0, 8)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The runs list: state, "mine" and job filters and a keyset cursor stack, kept in the URL
// (`?state=running&mine=1&jobId=…&pages=c1,c2`). `pages` is the stack of cursors that led to the page shown: empty on the
// first page; "Next" pushes the page's `nextCursor`, "Previous" pops.

export const RUNS_PAGE_SIZE = 25;
/** Cursors are base64url, so a comma never occurs inside one and can separate them in the URL. */
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RunsQuery {
  state: TRunState | null;
  mine: boolean;
  /** Runs of this job only (the job page links to `/runs?jobId=`). */
  jobId: string | null;
  cursors: string[];
}

export const EMPTY_RUNS_QUERY: RunsQuery = { state: null, mine: false, jobId: null, cursors: [] };

export function parseRunsQuery(params: URLSearchParams): RunsQuery {
  const state = params.get("state") ?? "";
  const jobId = (params.get("jobId") ?? "").trim();
  return {
    state: isRunState(state) ? state : null,
    mine: params.get("mine") === "1",
    jobId: UUID.test(jobId) ? jobId.toLowerCase() : null,
    cursors: (params.get("pages") ?? "")
      .split(",")
      .filter((cursor) => CURSOR.test(cursor))
      .slice(0, 100),
  };
}

/** Writes the query back, dropping defaults so URLs stay short. */
export function toRunsSearchParams(query: RunsQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.state) params.set("state", query.state);
  if (query.mine) params.set("mine", "1");
  if (query.jobId) params.set("jobId", query.jobId);
  if (query.cursors.length) params.set("pages", query.cursors.join(","));
  return params;
}

export function runsHref(query: RunsQuery): string {
  const search = toRunsSearchParams(query).toString();
  return search ? `/runs?${search}` : "/runs";
}

export function toListRunsRequest(
  query: RunsQuery,
  userId: string | null,
): { state?: TRunState; createdBy?: string; jobId?: string; limit: number; cursor?: string } {
  const cursor = query.cursors.at(-1);
  return {
    ...(query.state ? { state: query.state } : {}),
    ...(query.mine && userId ? { createdBy: userId } : {}),
    ...(query.jobId ? { jobId: query.jobId } : {}),
    limit: RUNS_PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
  };
}

export interface RunsPaging {
  /** 1-based. */
  page: number;
  previous: RunsQuery | null;
  next: RunsQuery | null;
  /** The first page, offered once there are two steps back or more. */
  first: RunsQuery | null;
}

export function presentRunsPaging(query: RunsQuery, nextCursor: string | null): RunsPaging {
  return {
    page: query.cursors.length + 1,
    previous: query.cursors.length ? { ...query, cursors: query.cursors.slice(0, -1) } : null,
    next: nextCursor ? { ...query, cursors: [...query.cursors, nextCursor] } : null,
    first: query.cursors.length > 1 ? { ...query, cursors: [] } : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The run's tasks: status tabs, and pages of 1,000 loaded by cursor as the grid scrolls

export const TASKS_PAGE_SIZE = 1000;
/** Load the next page when the last visible row is this close to the end of what is loaded. */
export const TASKS_PREFETCH_ROWS = 200;

export interface TaskTab {
  /** Null for "All". */
  state: TTaskState | null;
  label: string;
  count: number;
}

/** "All" and one tab per state; empty states are left out unless their tab is the one selected. */
export function taskTabs(counts: TTaskCounts, selected: TTaskState | null): TaskTab[] {
  const tabs: TaskTab[] = [{ state: null, label: "All", count: counts.total }];
  for (const state of TASK_STATES) {
    const count = countOf(counts, state);
    if (count > 0 || state === selected) tabs.push({ state, label: TASK_STATE_LABELS[state], count });
  }
  return tabs;
}

export interface TaskPage {
  /** The cursor this page was loaded with (null for the first). */
  cursor: string | null;
  items: TTask[];
  nextCursor: string | null;
}

export interface TaskPages {
  pages: TaskPage[];
}

export const NO_TASK_PAGES: TaskPages = { pages: [] };

export function loadedTasks(state: TaskPages): TTask[] {
  return state.pages.flatMap((page) => page.items);
}

export function loadedCount(state: TaskPages): number {
  return state.pages.reduce((sum, page) => sum + page.items.length, 0);
}

/** The cursor of the page to load next: none before the first, null when everything is loaded. */
export function nextPageCursor(state: TaskPages): string | null | undefined {
  if (!state.pages.length) return undefined;
  return state.pages.at(-1)!.nextCursor;
}

export function hasMoreTasks(state: TaskPages): boolean {
  return !state.pages.length || state.pages.at(-1)!.nextCursor !== null;
}

/** Whether the grid should load the next page, with `lastVisible` the index of the last row on screen. */
export function shouldLoadMore(state: TaskPages, lastVisible: number): boolean {
  if (!state.pages.length) return false;
  const cursor = nextPageCursor(state);
  return typeof cursor === "string" && lastVisible >= loadedCount(state) - TASKS_PREFETCH_ROWS;
}

/** Adds the page loaded with `cursor`; an answer for a page that is no longer next (a reset, a race) is dropped. */
export function appendTaskPage(state: TaskPages, page: TaskPage): TaskPages {
  const expected = state.pages.length ? state.pages.at(-1)!.nextCursor : null;
  if (page.cursor !== expected) return state;
  return { pages: [...state.pages, page] };
}

/**
 * Puts a re-loaded page in place (the poll refreshing what is on screen). When its `nextCursor` moved (tasks left a
 * filtered tab, or arrived), the pages after it no longer line up and are dropped; scrolling loads them again.
 */
export function replaceTaskPage(state: TaskPages, page: TaskPage): TaskPages {
  const index = state.pages.findIndex((candidate) => candidate.cursor === page.cursor);
  if (index === -1) return state;
  const pages = state.pages.slice(0, index + 1);
  pages[index] = page;
  const following = state.pages[index + 1];
  if (following && following.cursor === page.nextCursor) pages.push(...state.pages.slice(index + 1));
  return { pages };
}

/** Rows past the last visible one that a refresh reloads too (the grid's overscan, and a little scrolling). */
export const REFRESH_MARGIN_ROWS = 30;

export interface PageRefresh {
  cursor: string | null;
  /** Rows to reload from the page's start: up to just past the last one on screen, never more than a page. */
  limit: number;
}

/**
 * What to reload so rows `start`…`end` (indexes into the loaded rows) show the run as it is now: each page holding
 * some of them, from its cursor, only as far as the screen (plus a margin) reaches into it. The last page when none
 * holds them (the list shrank under the screen).
 */
export function refreshPlan(state: TaskPages, start: number, end: number): PageRefresh[] {
  const plan: PageRefresh[] = [];
  let first = 0;
  for (const page of state.pages) {
    const last = first + page.items.length - 1;
    if (last >= start && first <= end)
      plan.push({
        cursor: page.cursor,
        limit: Math.min(TASKS_PAGE_SIZE, end - first + 1 + REFRESH_MARGIN_ROWS),
      });
    first += page.items.length;
  }
  const tail = state.pages.at(-1);
  if (!plan.length && tail) plan.push({ cursor: tail.cursor, limit: TASKS_PAGE_SIZE });
  return plan;
}

/**
 * Puts reloaded rows in place. A whole page (as many rows as asked for were not returned, or a whole page was asked
 * for) replaces the old one; a partial reload replaces the rows it covers and keeps the rest of the page, less any
 * task it now holds (tasks move between the pages of a state tab as they change state).
 */
export function mergeRefreshedPage(state: TaskPages, fresh: TaskPage, limit: number): TaskPages {
  const index = state.pages.findIndex((candidate) => candidate.cursor === fresh.cursor);
  const old = state.pages[index];
  if (!old) return state;
  if (limit >= TASKS_PAGE_SIZE || fresh.items.length < limit || fresh.nextCursor === null)
    return replaceTaskPage(state, fresh);
  const ids = new Set(fresh.items.map((task) => task.id));
  const rest = old.items.slice(fresh.items.length).filter((task) => !ids.has(task.id));
  const pages = [...state.pages];
  pages[index] = { cursor: old.cursor, items: [...fresh.items, ...rest], nextCursor: old.nextCursor };
  return { pages };
}

// ---------------------------------------------------------------------------------------------------------
// Log lines: chunks split into lines, a chunk that ends mid-line joined with the next chunk of the same task and
// stream; a bounded window of the newest lines for the viewer.

export type LogStream = TLogChunk["stream"];

export interface LogLine {
  /** Increasing for the viewer's lifetime: the React key. */
  seq: number;
  taskId: string;
  stream: LogStream;
  text: string;
}

/** "1732650000000-3" → [1732650000000, 3]; null for anything else. */
export function parseOffset(offset: string): [number, number] | null {
  const match = /^(\d{1,16})-(\d{1,10})$/.exec(offset);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** Orders two chunk offsets; an unparseable one sorts first. */
export function compareOffsets(a: string, b: string): number {
  const left = parseOffset(a) ?? [-1, -1];
  const right = parseOffset(b) ?? [-1, -1];
  return left[0] - right[0] || left[1] - right[1];
}

/**
 * What a terminal shows of a line: a carriage return inside it (a progress bar redrawn) leaves only the text after
 * the last one that is followed by something; a CR before the newline (CRLF) is dropped.
 */
export function visibleText(line: string): string {
  const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
  const at = trimmed.lastIndexOf("\r");
  return at === -1 ? trimmed : trimmed.slice(at + 1);
}

/** Splits `pending + text` into whole lines and the unfinished rest (kept for the next chunk). */
export function splitChunk(pending: string, text: string): { lines: string[]; rest: string } {
  const parts = (pending + text).split("\n");
  const rest = parts.pop() ?? "";
  return { lines: parts.map(visibleText), rest };
}

/**
 * Turns chunks into lines. Output of one task's stream may be cut anywhere between chunks, and chunks of other tasks
 * (or the other stream) come in between: the unfinished end of each task+stream waits for its continuation.
 * Chunks at or before the last offset seen (a resumed tail repeating itself) are ignored.
 */
export class LogSplitter {
  #seq = 0;
  #pending = new Map<string, { taskId: string; stream: LogStream; text: string }>();
  #lastOffset: string | null = null;

  get lastOffset(): string | null {
    return this.#lastOffset;
  }

  /** The whole lines this chunk completes (possibly none). */
  push(chunk: Pick<TLogChunk, "offset" | "taskId" | "stream" | "text">): LogLine[] {
    if (this.#lastOffset !== null && compareOffsets(chunk.offset, this.#lastOffset) <= 0) return [];
    this.#lastOffset = chunk.offset;
    const key = `${chunk.taskId}\u0000${chunk.stream}`;
    const { lines, rest } = splitChunk(this.#pending.get(key)?.text ?? "", chunk.text);
    if (rest) this.#pending.set(key, { taskId: chunk.taskId, stream: chunk.stream, text: rest });
    else this.#pending.delete(key);
    return lines.map((text) => ({ seq: this.#seq++, taskId: chunk.taskId, stream: chunk.stream, text }));
  }

  /** Unfinished lines so far (shown after the whole ones while the run goes on); their seq is provisional. */
  partials(): LogLine[] {
    return [...this.#pending.values()].map((part, index) => ({
      seq: -1 - index,
      taskId: part.taskId,
      stream: part.stream,
      text: visibleText(part.text),
    }));
  }

  /** The unfinished lines as lines: the log is over (a task's last line without a newline). */
  flush(): LogLine[] {
    const lines = [...this.#pending.values()].map((part) => ({
      seq: this.#seq++,
      taskId: part.taskId,
      stream: part.stream,
      text: visibleText(part.text),
    }));
    this.#pending.clear();
    return lines;
  }
}

/** The viewer keeps this many lines; older ones are dropped (a download still gets everything). */
export const MAX_LOG_LINES = 50_000;

/** The newest `max` lines, with a count of those dropped before them; appending is amortised O(1). */
export class LineWindow {
  #lines: LogLine[] = [];
  #start = 0;
  #dropped = 0;

  constructor(readonly max: number = MAX_LOG_LINES) {}

  get length(): number {
    return this.#lines.length - this.#start;
  }

  /** Lines dropped from the front to stay within `max`. */
  get dropped(): number {
    return this.#dropped;
  }

  at(index: number): LogLine | undefined {
    return index < 0 ? undefined : this.#lines[this.#start + index];
  }

  append(lines: readonly LogLine[]): void {
    if (!lines.length) return;
    for (const line of lines) this.#lines.push(line);
    const excess = this.length - this.max;
    if (excess > 0) {
      this.#start += excess;
      this.#dropped += excess;
    }
    // Compact once the dead prefix is as long as the window, so memory stays within twice the cap.
    if (this.#start >= this.max) {
      this.#lines = this.#lines.slice(this.#start);
      this.#start = 0;
    }
  }

  toArray(): LogLine[] {
    return this.#lines.slice(this.#start);
  }
}

/** A line of a downloaded log: `web-1 | text`, with `[stderr]`/`[system]` marked; no target for one target's log. */
export function formatLogLine(line: Pick<LogLine, "stream" | "text">, target: string | null): string {
  const mark = line.stream === "stdout" ? "" : `[${line.stream}] `;
  return target === null ? `${mark}${line.text}` : `${target} | ${mark}${line.text}`;
}

/** `run-deploy-web-3f2a9c1d.log`, or with the target: `run-deploy-web-3f2a9c1d-web-1.log`. */
export function logFileName(run: Pick<TRun, "id" | "name">, target: string | null): string {
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40);
  const parts = ["run", slug(run.name), run.id.slice(0, 8), target ? slug(target) : ""].filter(Boolean);
  return `${parts.join("-")}.log`;
}

// ---------------------------------------------------------------------------------------------------------
// Downloads and artifacts: the whole log and a task's saved files come from plain authenticated routes of the
// execution service (tRPC carries no bytes), on the same origin, so a link with the session cookie gets them.

/** `GET …/runs/{id}/log.txt`: the run's whole log as text (its archive, or built from the database). */
export function runLogHref(runId: string): string {
  return `/api/v1/execution/runs/${encodeURIComponent(runId)}/log.txt`;
}

/** `GET …/artifacts/{id}/content`: an artifact's bytes, as an attachment. */
export function artifactContentHref(artifactId: string): string {
  return `/api/v1/execution/artifacts/${encodeURIComponent(artifactId)}/content`;
}

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/** "6 B", "1.5 KiB", "12.0 MiB": binary units with one decimal, as the worker's "saved N artifacts" line has them. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024)
    return `${Number.isFinite(bytes) && bytes > 0 ? Math.trunc(bytes) : 0} B`;
  let value = bytes;
  let unit: (typeof BYTE_UNITS)[number] = BYTE_UNITS[0];
  for (const next of BYTE_UNITS) {
    value /= 1024;
    unit = next;
    // Rounded the way it is shown: 1023.96 KiB reads "1.0 MiB", not "1024.0 KiB".
    if (Number(value.toFixed(1)) < 1024) break;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** The first characters of a hash, enough to compare by eye (the whole hash is copied and in the title). */
export function shortHash(hash: string, length = 12): string {
  return hash.length > length ? hash.slice(0, length) : hash;
}

/** Artifacts asked for per page in the run's files table. */
export const ARTIFACTS_PAGE_SIZE = 100;
/** The most the API returns per request. */
export const ARTIFACTS_MAX_LIMIT = 1000;

/**
 * How many artifacts to ask for next when reloading the `wanted` rows already shown (`collected` so far): at
 * least a page, at most what the API returns at once.
 */
export function artifactsReloadLimit(collected: number, wanted: number): number {
  return Math.min(ARTIFACTS_MAX_LIMIT, Math.max(ARTIFACTS_PAGE_SIZE, wanted - collected));
}

/**
 * Changes whenever a task of the run finishes (and when the run's state does): the worker's report records a task's
 * files in the same transaction as its end, so that is when the files list can have grown.
 */
export function artifactsRefreshKey(run: Pick<TRun, "state" | "counts">): string {
  const { total, queued, running } = run.counts;
  return `${run.state}:${total - queued - running}`;
}

/** The artifact's target as the API names it, else from the tasks loaded so far, else "…". */
export function artifactTargetName(
  artifact: { taskId: string; targetName?: string | null },
  names: ReadonlyMap<string, string>,
): string {
  return artifact.targetName || names.get(artifact.taskId) || "…";
}

// ---------------------------------------------------------------------------------------------------------
// The "Run command" form

/** The form's inputs, by the names the API's errors are folded onto; anything else goes in the form's alert. */
export const RUN_FIELD_NAMES = [
  "name",
  "selector",
  "command",
  "shell",
  "env",
  "timeoutSeconds",
  "fanOut",
  "failureThreshold",
  "sudo",
  "runOn",
] as const;

/**
 * The API names fields by their input path (`targets.selector`, `action.command`, `env.FOO`,
 * `failureThreshold.count`); the form has one input for each of those groups, so they fold onto it, keeping the
 * first message. The offending variable is named in the env message.
 */
export function normaliseRunErrors(errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    let key = path;
    let text = message;
    if (path === "targets" || path.startsWith("targets.")) key = "selector";
    else if (path === "action.shell") key = "shell";
    else if (path === "action" || path.startsWith("action.")) key = "command";
    else if (path.startsWith("env.")) {
      key = "env";
      text = `${path.slice("env.".length)}: ${message}`;
    } else if (path.startsWith("failureThreshold.")) key = "failureThreshold";
    result[key] ??= text;
  }
  return result;
}

export interface EnvRow {
  key: string;
  value: string;
}

/** The variables editor's rows as the request's map: keys trimmed, values as typed; a value without a key or a key twice is an error. */
export function envFromRows(rows: readonly EnvRow[]): { env: Record<string, string>; error: string | null } {
  const env: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (!key && !row.value) continue;
    if (!key) return { env, error: `The value “${row.value}” has no name` };
    if (Object.hasOwn(env, key)) return { env, error: `The variable ${key} appears twice` };
    env[key] = row.value;
  }
  return { env, error: null };
}

/** "3" (tasks) or "10%" (a share of them); empty for none. */
export function parseFailureThreshold(text: string): {
  value: { count: number } | { percent: number } | undefined;
  error: string | null;
} {
  const trimmed = text.trim();
  if (!trimmed) return { value: undefined, error: null };
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  if (percent) return { value: { percent: Number(percent[1]) }, error: null };
  if (/^\d+$/.test(trimmed)) return { value: { count: Number(trimmed) }, error: null };
  return { value: undefined, error: "Enter a number of tasks (3) or a share (10%)" };
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** A whole number field: undefined when empty, NaN when it is not a whole number (the caller reports it). */
function whole(value: string): number | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

const isShell = (value: string): value is TShell => (SHELLS as readonly string[]).includes(value);

/**
 * The "Run command" form as the start request. Numbers that are not whole, a malformed threshold and broken
 * variable rows come back as field errors; everything else the API checks (and its errors land at the same fields).
 */
export function startRunInputFromForm(
  form: FormData,
): { ok: true; input: TStartRunRequest } | { ok: false; fieldErrors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const numberField = (name: string) => {
    const value = whole(text(form, name));
    if (Number.isNaN(value)) errors[name] = "Enter a whole number";
    return value;
  };
  const timeoutSeconds = numberField("timeoutSeconds");
  const fanOut = numberField("fanOut");
  const threshold = parseFailureThreshold(text(form, "failureThreshold"));
  if (threshold.error) errors.failureThreshold = threshold.error;
  const keys = form.getAll("envKey").map(String);
  const values = form.getAll("envValue").map(String);
  const { env, error: envError } = envFromRows(
    keys.map((key, index) => ({ key, value: values[index] ?? "" })),
  );
  if (envError) errors.env = envError;
  if (!text(form, "selector").trim()) errors.selector = "Enter a selector: which targets to run on";
  if (Object.keys(errors).length) return { ok: false, fieldErrors: errors };

  const shellText = text(form, "shell");
  const shell: TShell = isShell(shellText) ? shellText : "sh";
  const body = text(form, "command");
  const name = text(form, "name").trim();
  return {
    ok: true,
    input: {
      ...(name ? { name } : {}),
      // A script reaches the interpreter on its standard input, so it is sent as typed; a command line is trimmed.
      action:
        text(form, "mode") === "script"
          ? { type: "script", script: body, shell }
          : { type: "command", command: body.trim(), shell },
      runOn: form.get("runOn") === "local" ? "local" : "target",
      targets: { selector: text(form, "selector").trim() },
      env,
      sudo: form.get("sudo") === "on",
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      ...(fanOut !== undefined ? { fanOut } : {}),
      ...(threshold.value ? { failureThreshold: threshold.value } : {}),
      ...(text(form, "idempotencyKey") ? { idempotencyKey: text(form, "idempotencyKey") } : {}),
    },
  };
}
