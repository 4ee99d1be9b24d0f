import type { THost, TOpenPort, TRunDiff } from "@opsc/contracts/discovery/results";
import type { TRunProgress, TRunStatus, TScanRun } from "@opsc/contracts/discovery/runs";
import type { TCreateScanRequest, TScan, TUpdateScanRequest } from "@opsc/contracts/discovery/scans";
import type { BadgeTone } from "../components/ui/badge.tsx";

// Pure read models for /discovery and /discovery/scans/:id. No SDK and no runtime values from the contracts
// (they would pull zod into the browser): the lists below mirror RUN_STATUSES and FINAL_RUN_STATUSES.

export const FINAL_STATUSES: readonly TRunStatus[] = ["completed", "failed", "cancelled"];

/** A run still moving: the page polls while one is shown. */
export function isRunActive(status: TRunStatus): boolean {
  return !FINAL_STATUSES.includes(status);
}

export const RUN_STATUS_TONES: Record<TRunStatus, BadgeTone> = {
  queued: "neutral",
  running: "indigo",
  completed: "green",
  failed: "red",
  cancelled: "amber",
};

export const RUN_STATUS_LABELS: Record<TRunStatus, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** Whole percent of the probes done (0 before the worker planned them). */
export function progressPercent(progress: TRunProgress): number {
  if (progress.probesTotal <= 0) return 0;
  return Math.min(100, Math.floor((progress.probesDone / progress.probesTotal) * 100));
}

export function describeProgress(progress: TRunProgress): string {
  return `${progress.addressesDone}/${progress.addressesTotal} addresses · ${progress.hostsFound} host${
    progress.hostsFound === 1 ? "" : "s"
  } found`;
}

/** "22, 80, 443" — long lists are cut after `max` with a count of the rest. */
export function formatPorts(ports: readonly number[], max = 8): string {
  if (ports.length <= max) return ports.join(", ");
  return `${ports.slice(0, max).join(", ")} +${ports.length - max} more`;
}

export function formatSchedule(schedule: TScan["schedule"]): string {
  return schedule ? `${schedule.cron} (${schedule.timeZone})` : "Manual";
}

/** Splits a comma (or whitespace) separated list, dropping empty items. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Ports typed as "22, 80, 8000-8002". Ranges expand; anything not a whole number gives an error for the field
 * (the API checks 1–65535 and the count).
 */
export function parsePorts(text: string): { ports: number[]; error?: string } {
  const ports: number[] = [];
  for (const item of splitList(text)) {
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from || to - from > 1000) return { ports: [], error: `Not a usable port range: ${item}` };
      for (let port = from; port <= to; port++) ports.push(port);
      continue;
    }
    if (!/^\d+$/.test(item)) return { ports: [], error: `Not a port number: ${item}` };
    ports.push(Number(item));
  }
  return { ports };
}

/**
 * The API names list items (`ranges.1`, `ports.0`) and nested fields (`schedule.cron`, `data.name`); the forms
 * have one input per list, so those collapse onto it, keeping the first message.
 */
export function normaliseScanErrors(errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    let key = path.startsWith("data.") ? path.slice("data.".length) : path;
    const list = /^(ranges|ports)\.(\d+)$/.exec(key);
    if (list) key = list[1]!;
    result[key] ??= message;
  }
  return result;
}

/** The suggested tags as the import table's text box shows them: "discovered=yes, service=http". */
export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
}

/** The text box back into tags; the API checks the characters. */
export function parseTags(text: string): { tags: Record<string, string>; error?: string } {
  const tags: Record<string, string> = {};
  for (const item of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = item.indexOf("=");
    if (at <= 0) return { tags: {}, error: `Write tags as key=value: ${item}` };
    tags[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return { tags };
}

/** What a port answered: the HTTP title and server, the SSH line, or nothing. */
export function describePort(port: TOpenPort): string {
  if (port.http) {
    const parts = [`HTTP ${port.http.status}`];
    if (port.http.title) parts.push(`“${port.http.title}”`);
    if (port.http.server) parts.push(port.http.server);
    return parts.join(" · ");
  }
  return port.banner ?? "";
}

export interface HostRow {
  address: string;
  hostname: string;
  ports: { port: number; service: string; detail: string }[];
  importedTargetId: string | null;
}

export function presentHost(host: THost & { importedTargetId?: string | null }): HostRow {
  return {
    address: host.address,
    hostname: host.hostname ?? "—",
    ports: host.ports.map((port) => ({
      port: port.port,
      service: port.service ?? "",
      detail: describePort(port),
    })),
    importedTargetId: host.importedTargetId ?? null,
  };
}

export interface DiffSummary {
  new: number;
  changed: number;
  known: number;
  vanished: number;
}

export function summariseDiff(diff: TRunDiff): DiffSummary {
  return {
    new: diff.new.length,
    changed: diff.changed.length,
    known: diff.known.length,
    vanished: diff.vanished.length,
  };
}

/** The run the detail page shows: `?run=` when it belongs to the scan, else the newest. */
export function selectRun(runs: readonly TScanRun[], requested: string | null): TScanRun | null {
  return runs.find((run) => run.id === requested) ?? runs[0] ?? null;
}

/** Milliseconds between revalidations while a run is queued or running. */
export const POLL_MS = 2_000;

// ---------------------------------------------------------------------------------------------------------
// Paging: the scans list and a scan's runs, offset-paged (the API's common limit/offset request), the page number
// kept in the URL (`?page=2`) so a reload or a shared link shows the same rows.

export const SCANS_PAGE_SIZE = 20;
export const RUNS_PAGE_SIZE = 20;
/** The API refuses offsets past this (ZPageRequest). */
const MAX_OFFSET = 1_000_000;

/** The 1-based page in `?<name>=`: 1 when missing or not a positive whole number, never past the API's offsets. */
export function parsePage(params: URLSearchParams, size: number, name = "page"): number {
  const text = params.get(name) ?? "";
  const page = /^\d{1,9}$/.test(text) ? Number(text) : 1;
  return Math.min(Math.max(page, 1), Math.floor(MAX_OFFSET / size) + 1);
}

/** The list request's paging fields for a page. */
export function pageRequest(page: number, size: number): { limit: number; offset: number } {
  return { limit: size, offset: (page - 1) * size };
}

export interface Paging {
  page: number;
  size: number;
  total: number;
  /** 1-based index of the first row shown, 0 when the page is empty. */
  from: number;
  to: number;
  pageCount: number;
  /** The neighbouring pages, null at either end. */
  previous: number | null;
  next: number | null;
}

/** Where a page stands in the list: its rows' span of the total and its neighbours. */
export function presentPaging(page: number, size: number, total: number, shown: number): Paging {
  const from = shown ? (page - 1) * size + 1 : 0;
  const pageCount = Math.max(1, Math.ceil(total / size));
  return {
    page,
    size,
    total,
    from,
    to: from ? from + shown - 1 : 0,
    pageCount,
    previous: page > 1 ? Math.min(page - 1, pageCount) : null,
    next: page < pageCount ? page + 1 : null,
  };
}

/**
 * The last page with rows when `page` lies past the end (the list shrank under it: a scan deleted, a stale link);
 * null when the page is fine. Page 1 of an empty list is fine.
 */
export function pageBeyondEnd(page: number, size: number, total: number): number | null {
  if (page <= 1 || (page - 1) * size < total) return null;
  return Math.max(1, Math.ceil(total / size));
}

/** "21–40 of 45" */
export function describePaging(paging: Paging): string {
  return `${paging.from.toLocaleString("en-US")}–${paging.to.toLocaleString("en-US")} of ${paging.total.toLocaleString("en-US")}`;
}

/** The search string (`?…`) with `name` set to `value`, or dropped for null; the other parameters stay. */
export function withSearchParam(search: string, name: string, value: string | null): string {
  const params = new URLSearchParams(search);
  if (value === null) params.delete(name);
  else params.set(name, value);
  return `?${params}`;
}

/** A link to another page of the list; page 1 leaves the parameter out, so the first page has one URL. */
export function pageHref(search: string, page: number, name = "page"): string {
  return withSearchParam(search, name, page > 1 ? String(page) : null);
}

/** A link that shows a run below the runs list, on the list page being looked at. */
export function runHref(search: string, runId: string): string {
  return withSearchParam(search, "run", runId);
}

// ---------------------------------------------------------------------------------------------------------
// The scan form: one set of fields for "New scan" (empty) and "Edit" (filled with the scan)

export interface ScanFormValues {
  name: string;
  description: string;
  ranges: string;
  ports: string;
  timeoutMs: string;
  concurrency: string;
  cron: string;
  timeZone: string;
  reverseDns: boolean;
}

/** Ports as the form's text box takes them back: runs of three or more consecutive ports as "8000-8002". */
export function formatPortsInput(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    if (end - start >= 2) parts.push(`${sorted[start]}-${sorted[end]}`);
    else for (let index = start; index <= end; index++) parts.push(String(sorted[index]));
    start = end + 1;
  }
  return parts.join(", ");
}

/** The form's initial values: empty for a new scan (placeholders show the defaults), else the scan's own. */
export function scanFormValues(scan: TScan | null): ScanFormValues {
  if (!scan)
    return {
      name: "",
      description: "",
      ranges: "",
      ports: "",
      timeoutMs: "",
      concurrency: "",
      cron: "",
      timeZone: "",
      reverseDns: false,
    };
  return {
    name: scan.name,
    description: scan.description,
    ranges: scan.ranges.join(", "),
    ports: formatPortsInput(scan.ports),
    timeoutMs: String(scan.timeoutMs),
    concurrency: String(scan.concurrency),
    cron: scan.schedule?.cron ?? "",
    timeZone: scan.schedule?.timeZone ?? "",
    reverseDns: scan.reverseDns,
  };
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/**
 * What the edit form changes of the scan, as the update's partial `data`: only fields that differ, so saving a new
 * name does not re-check ranges an admin has since narrowed. Empty numbers keep the scan's value.
 */
export function scanChanges(scan: TScan, input: TCreateScanRequest): TUpdateScanRequest["data"] {
  const data: TUpdateScanRequest["data"] = {};
  if (input.name !== scan.name) data.name = input.name;
  if (input.description !== undefined && input.description !== scan.description)
    data.description = input.description;
  if (!sameList(input.ranges, scan.ranges)) data.ranges = input.ranges;
  const ports = [...new Set(input.ports)].sort((a, b) => a - b);
  if (!sameList(ports, scan.ports)) data.ports = input.ports;
  if (input.timeoutMs !== undefined && input.timeoutMs !== scan.timeoutMs) data.timeoutMs = input.timeoutMs;
  if (input.concurrency !== undefined && input.concurrency !== scan.concurrency)
    data.concurrency = input.concurrency;
  if (input.reverseDns !== undefined && input.reverseDns !== scan.reverseDns)
    data.reverseDns = input.reverseDns;
  if (input.schedule !== undefined) {
    const next = input.schedule
      ? { cron: input.schedule.cron, timeZone: input.schedule.timeZone ?? "UTC" }
      : null;
    const current = scan.schedule;
    if (next?.cron !== current?.cron || next?.timeZone !== current?.timeZone) data.schedule = input.schedule;
  }
  return data;
}
