import type { THost, TOpenPort, TRunDiff } from "@opsc/contracts/discovery/results";
import type { TRunProgress, TRunStatus, TScanRun } from "@opsc/contracts/discovery/runs";
import type { TScan } from "@opsc/contracts/discovery/scans";
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
