import type { TStep } from "@opsc/contracts/execution/plan";
import type { TJobTargets } from "@opsc/contracts/jobs/definition";
import type { TLineDiff } from "@opsc/contracts/jobs/versions";

// Pure read models for /jobs and /jobs/:id: the list's URL ⇄ query, the folder tree, the side-by-side diff.

export const JOBS_PAGE_SIZE = 25;
/** Cursors are opaque and base64url; a comma never occurs in one, so the stack of them fits one parameter. */
const CURSOR = /^[A-Za-z0-9_=-]{1,400}$/;
const FOLDER = /^\/(?:[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*)?$/;
const TAG = /^[a-z0-9][a-z0-9._-]*$/;

export interface JobsQuery {
  search: string;
  /** Null: every folder. */
  folder: string | null;
  tag: string | null;
  cursors: string[];
}

export const EMPTY_JOBS_QUERY: JobsQuery = { search: "", folder: null, tag: null, cursors: [] };

export function parseJobsQuery(params: URLSearchParams): JobsQuery {
  const folder = params.get("folder") ?? "";
  const tag = (params.get("tag") ?? "").trim().toLowerCase();
  return {
    search: (params.get("q") ?? "").trim().slice(0, 100),
    folder: FOLDER.test(folder) && folder !== "/" ? folder : null,
    tag: TAG.test(tag) && tag.length <= 50 ? tag : null,
    cursors: (params.get("pages") ?? "")
      .split(",")
      .filter((cursor) => CURSOR.test(cursor))
      .slice(0, 100),
  };
}

export function jobsHref(query: JobsQuery): string {
  const params = new URLSearchParams();
  if (query.search) params.set("q", query.search);
  if (query.folder) params.set("folder", query.folder);
  if (query.tag) params.set("tag", query.tag);
  if (query.cursors.length) params.set("pages", query.cursors.join(","));
  const search = params.toString();
  return search ? `/jobs?${search}` : "/jobs";
}

export function toListJobsRequest(query: JobsQuery): {
  search?: string;
  folder?: string;
  tag?: string;
  limit: number;
  cursor?: string;
} {
  const cursor = query.cursors.at(-1);
  return {
    ...(query.search ? { search: query.search } : {}),
    ...(query.folder ? { folder: query.folder } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    limit: JOBS_PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
  };
}

export interface JobsPaging {
  page: number;
  previous: JobsQuery | null;
  next: JobsQuery | null;
  first: JobsQuery | null;
}

export function presentJobsPaging(query: JobsQuery, nextCursor: string | null): JobsPaging {
  return {
    page: query.cursors.length + 1,
    previous: query.cursors.length ? { ...query, cursors: query.cursors.slice(0, -1) } : null,
    next: nextCursor ? { ...query, cursors: [...query.cursors, nextCursor] } : null,
    first: query.cursors.length > 1 ? { ...query, cursors: [] } : null,
  };
}

export interface FolderNode {
  path: string;
  /** The last segment ("backups" for /databases/backups); "All jobs" for the root. */
  label: string;
  depth: number;
  /** Jobs directly in this folder. */
  jobs: number;
  /** Jobs in it and below it: what picking it lists. */
  total: number;
}

/**
 * The folder tree as a flat list in display order (a folder before its sub-folders, siblings by name), with the
 * parents the API did not name (a job in /a/b makes /a appear). The root comes first and counts every job.
 */
export function folderTree(folders: readonly { path: string; jobs: number }[]): FolderNode[] {
  const direct = new Map<string, number>();
  for (const folder of folders) direct.set(folder.path, (direct.get(folder.path) ?? 0) + folder.jobs);
  const all = new Set<string>(["/"]);
  for (const path of direct.keys()) {
    const parts = path.split("/").filter(Boolean);
    for (let length = 1; length <= parts.length; length++) all.add(`/${parts.slice(0, length).join("/")}`);
  }
  const within = (parent: string, path: string) =>
    parent === "/" || path === parent || path.startsWith(`${parent}/`);
  const nodes = [...all].map((path): FolderNode => {
    const parts = path.split("/").filter(Boolean);
    let total = 0;
    for (const [other, count] of direct) if (within(path, other)) total += count;
    return {
      path,
      label: parts.at(-1) ?? "All jobs",
      depth: parts.length,
      jobs: direct.get(path) ?? 0,
      total,
    };
  });
  // Sorting by segments puts each folder right before its children.
  const key = (path: string) => path.split("/").filter(Boolean);
  return nodes.sort((a, b) => {
    const left = key(a.path);
    const right = key(b.path);
    for (let index = 0; index < Math.min(left.length, right.length); index++) {
      const order = left[index]!.localeCompare(right[index]!);
      if (order !== 0) return order;
    }
    return left.length - right.length;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Versions diff, side by side

export type DiffCellKind = "unchanged" | "removed" | "added" | "empty";

export interface DiffCell {
  /** 1-based line number in its version; null for the filler opposite an added or removed line. */
  line: number | null;
  text: string;
  kind: DiffCellKind;
}

export interface DiffRow {
  left: DiffCell;
  right: DiffCell;
}

const EMPTY_CELL: DiffCell = { line: null, text: "", kind: "empty" };

/**
 * The API's line diff as rows: unchanged lines on both sides; a removed run next to the added run that follows it
 * (a change reads across), the longer one padded with empty cells.
 */
export function sideBySide(changes: TLineDiff): DiffRow[] {
  const rows: DiffRow[] = [];
  let left = 0;
  let right = 0;
  for (let index = 0; index < changes.length; index++) {
    const change = changes[index]!;
    if (change.type === "unchanged") {
      for (const text of change.lines)
        rows.push({
          left: { line: ++left, text, kind: "unchanged" },
          right: { line: ++right, text, kind: "unchanged" },
        });
      continue;
    }
    const removed = change.type === "removed" ? change.lines : [];
    const following = changes[index + 1];
    const added = change.type === "added" ? change.lines : following?.type === "added" ? following.lines : [];
    if (change.type === "removed" && following?.type === "added") index += 1;
    for (let at = 0; at < Math.max(removed.length, added.length); at++) {
      rows.push({
        left: at < removed.length ? { line: ++left, text: removed[at]!, kind: "removed" } : EMPTY_CELL,
        right: at < added.length ? { line: ++right, text: added[at]!, kind: "added" } : EMPTY_CELL,
      });
    }
  }
  return rows;
}

export type DiffLine = DiffRow | { gap: number };

/**
 * The rows with long unchanged stretches folded: `context` unchanged rows stay next to each change, the rest of a
 * stretch becomes one `{ gap: n }` ("n unchanged lines"). A diff without changes is folded entirely.
 */
export function foldUnchanged(rows: readonly DiffRow[], context = 3): DiffLine[] {
  const changed = rows.map((row) => row.left.kind !== "unchanged" || row.right.kind !== "unchanged");
  const keep = rows.map((_, index) => {
    for (let at = Math.max(0, index - context); at <= Math.min(rows.length - 1, index + context); at++)
      if (changed[at]) return true;
    return false;
  });
  const lines: DiffLine[] = [];
  let hidden = 0;
  rows.forEach((row, index) => {
    if (keep[index]) {
      if (hidden) lines.push({ gap: hidden });
      hidden = 0;
      lines.push(row);
    } else hidden += 1;
  });
  if (hidden) lines.push({ gap: hidden });
  return lines;
}

/** "+3 −1" for a diff's summary. */
export function diffStats(changes: TLineDiff): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const change of changes) {
    if (change.type === "added") added += change.lines.length;
    if (change.type === "removed") removed += change.lines.length;
  }
  return { added, removed };
}

/** The two versions a diff compares, from `?from=&to=`; defaults to the latest against the one before it. */
export function parseDiffPair(params: URLSearchParams, latest: number): { from: number; to: number } | null {
  const read = (name: string) => {
    const value = Number(params.get(name));
    return Number.isInteger(value) && value >= 1 && value <= latest ? value : null;
  };
  const from = read("from");
  const to = read("to");
  if (from !== null && to !== null && from !== to) return { from, to };
  return latest > 1 ? { from: latest - 1, to: latest } : null;
}

export const JOB_TABS = ["versions", "runs", "schedules", "webhooks"] as const;
export type JobTab = (typeof JOB_TABS)[number];
export const JOB_TAB_LABELS: Record<JobTab, string> = {
  versions: "Versions",
  runs: "Runs",
  schedules: "Schedules",
  webhooks: "Webhooks",
};

export function parseJobTab(params: URLSearchParams): JobTab {
  const tab = params.get("tab");
  return (JOB_TABS as readonly string[]).includes(tab ?? "") ? (tab as JobTab) : "versions";
}

/** A file name for an export: `jobs-2026-11-27.yaml`, or `jobs-databases-backups-….yaml` for a folder. */
export function jobsExportFileName(folder: string | null, now: Date): string {
  const scope = folder ? `-${folder.split("/").filter(Boolean).join("-")}` : "";
  return `jobs${scope}-${now.toISOString().slice(0, 10)}.yaml`;
}

// ---------------------------------------------------------------------------------------------------------
// A definition in words (the job page's summary)

export function describeTargets(targets: TJobTargets): string {
  if ("selector" in targets) return `targets ${targets.selector}`;
  if ("parameter" in targets) return `targets from the parameter ${targets.parameter}`;
  return `${targets.ids.length} chosen target${targets.ids.length === 1 ? "" : "s"}`;
}

function firstLine(text: string, max = 80): string {
  const line = text.split("\n").find((candidate) => candidate.trim()) ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** "make build (bash)", "script, 12 lines (sh)", "POST /health", "run the job notify", "wait 250 ms". */
export function describeStepAction(action: TStep["action"]): string {
  switch (action.type) {
    case "command":
      return `${firstLine(action.command)} (${action.shell})`;
    case "script": {
      const lines = action.script.split("\n").filter((line) => line.trim()).length;
      return `script, ${lines} line${lines === 1 ? "" : "s"} (${action.shell})`;
    }
    case "http":
      return `${action.method} ${action.path}`;
    case "job":
      return `run the job ${action.job}`;
    case "noop":
      return action.sleepMs ? `wait ${action.sleepMs} ms` : "nothing (no-op)";
  }
}

/** When a step runs, in words; empty for the default (no earlier step failed, no output tests). */
export function describeCondition(when: TStep["when"]): string {
  const status =
    when.status === "always" ? "always" : when.status === "failure" ? "only after a failure" : "";
  const tests = when.outputs.map((test) => {
    const subject = `${test.step}.${test.key}`;
    switch (test.op) {
      case "exists":
        return `${subject} exists`;
      case "missing":
        return `${subject} is missing`;
      case "equals":
        return `${subject} = ${test.value ?? ""}`;
      case "not-equals":
        return `${subject} ≠ ${test.value ?? ""}`;
      case "matches":
        return `${subject} ~ /${test.value ?? ""}/`;
      default:
        return subject;
    }
  });
  return [status, tests.length ? `if ${tests.join(" and ")}` : ""].filter(Boolean).join(", ");
}
