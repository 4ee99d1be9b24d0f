import type { TConnectionTestResponse } from "@opsc/contracts/targets/connection";
import type { THealthStatus, TListTargetsRequest, TTarget } from "@opsc/contracts/targets/targets";
import type { BadgeTone } from "../components/ui/badge.tsx";
import { formatDateTime } from "./format.ts";

// Pure read models for /targets and /targets/:id. The contract's enums are repeated here (their types still
// come from the contract) because importing its runtime values would pull zod into the browser bundle.

export const TARGET_KINDS = ["ssh", "http"] as const satisfies readonly TTarget["kind"][];
export type TargetKind = (typeof TARGET_KINDS)[number];
export const TARGET_KIND_LABELS: Record<TargetKind, string> = { ssh: "SSH", http: "HTTP" };

export const HEALTH_STATUSES = [
  "up",
  "degraded",
  "down",
  "unknown",
] as const satisfies readonly THealthStatus[];
export const HEALTH_LABELS: Record<THealthStatus, string> = {
  up: "Up",
  degraded: "Degraded",
  down: "Down",
  unknown: "Unknown",
};
export const HEALTH_TONES: Record<THealthStatus, BadgeTone> = {
  up: "green",
  degraded: "amber",
  down: "red",
  unknown: "neutral",
};
/** Chart colours per status (Tailwind's emerald-500, amber-500, red-500 and slate-400). */
export const HEALTH_COLORS: Record<THealthStatus, string> = {
  up: "#10b981",
  degraded: "#f59e0b",
  down: "#ef4444",
  unknown: "#94a3b8",
};

export const TARGETS_PAGE_SIZE = 50;

const isKind = (value: string): value is TargetKind => (TARGET_KINDS as readonly string[]).includes(value);
const isHealth = (value: string): value is THealthStatus =>
  (HEALTH_STATUSES as readonly string[]).includes(value);
/** Cursors are base64url, so a comma never occurs inside one and can separate them in the URL. */
const CURSOR = /^[A-Za-z0-9_-]{1,500}$/;
const TAG_FILTER = /^[^=\s]+=\S*$/;

/**
 * The /targets list state, kept in the URL so it survives reloads and links:
 * `?q=web&kind=ssh&health=down&tag=env=prod&selector=role+in+(web)&enabled=true&pages=c1,c2`.
 * `pages` is the stack of keyset cursors that led to this page: empty on the first page, its last entry is the
 * cursor of the page shown, and "Previous" drops it.
 */
export interface TargetsQuery {
  search: string;
  kind: TargetKind | null;
  health: THealthStatus | null;
  tags: string[];
  selector: string;
  enabled: "true" | "false" | null;
  cursors: string[];
}

export const EMPTY_TARGETS_QUERY: TargetsQuery = {
  search: "",
  kind: null,
  health: null,
  tags: [],
  selector: "",
  enabled: null,
  cursors: [],
};

export function parseTargetsQuery(params: URLSearchParams): TargetsQuery {
  const kind = params.get("kind") ?? "";
  const health = params.get("health") ?? "";
  const enabled = params.get("enabled");
  return {
    search: (params.get("q") ?? "").trim().slice(0, 100),
    kind: isKind(kind) ? kind : null,
    health: isHealth(health) ? health : null,
    tags: params
      .getAll("tag")
      .map((tag) => tag.trim())
      .filter((tag) => TAG_FILTER.test(tag))
      .slice(0, 20),
    selector: (params.get("selector") ?? "").trim().slice(0, 2000),
    enabled: enabled === "true" || enabled === "false" ? enabled : null,
    cursors: (params.get("pages") ?? "").split(",").filter((cursor) => CURSOR.test(cursor)),
  };
}

/** Writes the query back, dropping defaults so URLs stay short. */
export function toTargetsSearchParams(query: TargetsQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.search) params.set("q", query.search);
  if (query.kind) params.set("kind", query.kind);
  if (query.health) params.set("health", query.health);
  for (const tag of query.tags) params.append("tag", tag);
  if (query.selector) params.set("selector", query.selector);
  if (query.enabled) params.set("enabled", query.enabled);
  if (query.cursors.length) params.set("pages", query.cursors.join(","));
  return params;
}

export function toListTargetsRequest(query: TargetsQuery): TListTargetsRequest {
  const cursor = query.cursors.at(-1);
  return {
    ...(query.search ? { search: query.search } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.health ? { health: query.health } : {}),
    ...(query.tags.length ? { tag: query.tags } : {}),
    ...(query.selector ? { selector: query.selector } : {}),
    ...(query.enabled ? { enabled: query.enabled } : {}),
    limit: TARGETS_PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
  };
}

/** True when some filter other than the selector narrows the list (then "all matching" cannot be a selector). */
export function hasNonSelectorFilters(query: TargetsQuery): boolean {
  return Boolean(query.search || query.kind || query.health || query.tags.length || query.enabled);
}

/** "env=prod, role=web" or "env=prod role=web" → the valid `key=value` filters and the words that are not. */
export function parseTagFilters(text: string): { tags: string[]; invalid: string[] } {
  const words = text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
  return {
    tags: words.filter((word) => TAG_FILTER.test(word)),
    invalid: words.filter((word) => !TAG_FILTER.test(word)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

/** "12 ms", "1.25 s"; "—" when there is no measurement. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; a future time (clock skew) reads "just now". */
export function formatAgo(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** `host:port`, with an IPv6 address in brackets (`[::1]:22`) so the port stays readable. */
export function formatEndpoint(address: string, port: number): string {
  return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

export interface TagChip {
  key: string;
  value: string;
  /** `env=prod`, or just `env` for an empty value. */
  label: string;
}

export function tagChips(tags: Record<string, string>): TagChip[] {
  return Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value, label: value ? `${key}=${value}` : key }));
}

export interface HealthView {
  status: THealthStatus;
  label: string;
  tone: BadgeTone;
  latency: string | null;
  /** "checked 3 min ago", or "never checked". */
  checked: string;
  /** The full timestamp, for a tooltip. */
  checkedAt: string | null;
  error: string | null;
}

export function presentHealth(health: TTarget["health"], now: Date): HealthView {
  return {
    status: health.status,
    label: HEALTH_LABELS[health.status],
    tone: HEALTH_TONES[health.status],
    latency: health.latencyMs === null ? null : formatLatency(health.latencyMs),
    checked: health.checkedAt ? `checked ${formatAgo(health.checkedAt, now)}` : "never checked",
    checkedAt: health.checkedAt ? formatDateTime(health.checkedAt) : null,
    error: health.error,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The list page

export interface TargetRowView {
  id: string;
  name: string;
  endpoint: string;
  kind: TargetKind;
  kindLabel: string;
  tags: TagChip[];
  health: HealthView;
  enabled: boolean;
  maintenance: boolean;
}

export function presentTargetRow(target: TTarget, now: Date): TargetRowView {
  return {
    id: target.id,
    name: target.name,
    endpoint: formatEndpoint(target.address, target.port),
    kind: target.kind,
    kindLabel: TARGET_KIND_LABELS[target.kind],
    tags: tagChips(target.tags),
    health: presentHealth(target.health, now),
    enabled: target.enabled,
    maintenance: target.maintenance,
  };
}

export interface TargetsPage {
  query: TargetsQuery;
  targets: TTarget[];
  total: number;
  /** 1-based index of the first row shown, 0 when the page is empty. */
  from: number;
  to: number;
  hasPrevious: boolean;
  hasNext: boolean;
  /** Queries for the neighbouring pages (the cursor stack pushed or popped), null at either end. */
  previous: TargetsQuery | null;
  next: TargetsQuery | null;
  /** The API's verdict on the selector in the URL, when it refused it (the list is then empty). */
  selectorError: string | null;
}

export function presentTargetsPage(
  query: TargetsQuery,
  response: { items: TTarget[]; nextCursor: string | null; total: number },
): TargetsPage {
  const from = response.items.length ? query.cursors.length * TARGETS_PAGE_SIZE + 1 : 0;
  return {
    query,
    targets: response.items,
    total: response.total,
    from,
    to: from ? from + response.items.length - 1 : 0,
    hasPrevious: query.cursors.length > 0,
    hasNext: response.nextCursor !== null,
    previous: query.cursors.length ? { ...query, cursors: query.cursors.slice(0, -1) } : null,
    next: response.nextCursor ? { ...query, cursors: [...query.cursors, response.nextCursor] } : null,
    selectorError: null,
  };
}

/** The page for a selector the API refused: nothing listed, the error shown at the selector box. */
export function presentSelectorFailure(query: TargetsQuery, message: string): TargetsPage {
  return {
    ...presentTargetsPage(query, { items: [], nextCursor: null, total: 0 }),
    selectorError: message,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Selector errors: "selector: at column 9, expected "(" but found "w""

export interface SelectorErrorView {
  /** The message without the "selector:" prefix. */
  message: string;
  /** 1-based column the parser stopped at, or null when the message names none. */
  column: number | null;
  /** The selector split around that column, to underline the character there (a space past the end). */
  before: string;
  at: string;
  after: string;
}

export function presentSelectorError(selector: string, message: string): SelectorErrorView {
  const text = message.replace(/^selector:\s*/i, "");
  const match = /at column (\d+)/i.exec(text);
  const column = match ? Number(match[1]) : null;
  if (column === null || column < 1)
    return { message: text, column: null, before: selector, at: "", after: "" };
  const index = Math.min(column - 1, selector.length);
  return {
    message: text,
    column,
    before: selector.slice(0, index),
    at: selector.slice(index, index + 1) || " ",
    after: selector.slice(index + 1),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Forms

/**
 * The API names fields by their input path: `name` on create but `data.name` on update, `tags.<key>` for a bad
 * tag, `http.path` for HTTP settings. Forms name their inputs like the create request, so strip `data.` and fold
 * every tag problem into `tags` (prefixed with the key it is about).
 */
export function normaliseFieldErrors(errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const key = path.startsWith("data.") ? path.slice("data.".length) : path;
    if (key.startsWith("tags.")) {
      result.tags ??= `${key.slice("tags.".length)}: ${message}`;
      continue;
    }
    result[key] ??= message;
  }
  return result;
}

/** Errors no field of the form shows (an `id`, a nested path); the form lists them in its alert instead. */
export function unplacedErrors(errors: Record<string, string>, placed: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([key]) => !placed.includes(key))
    .map(([key, message]) => (key === "_" ? message : `${key}: ${message}`));
}

export interface TagRow {
  key: string;
  value: string;
}

/** The editor's rows for a target's tags (one empty row to type into when there are none). */
export function tagRowsOf(tags: Record<string, string>): TagRow[] {
  const rows = tagChips(tags).map(({ key, value }) => ({ key, value }));
  return rows.length ? rows : [{ key: "", value: "" }];
}

/** The editor's rows back to a tag map; a value without a key, or a key twice, is an error for `tags`. */
export function tagsFromRows(rows: TagRow[]): { tags: Record<string, string>; error: string | null } {
  const tags: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    const value = row.value.trim();
    if (!key && !value) continue;
    if (!key) return { tags, error: `The value “${value}” has no key` };
    if (Object.hasOwn(tags, key)) return { tags, error: `The key “${key}” appears twice` };
    tags[key] = value;
  }
  return { tags, error: null };
}

/**
 * Tags typed for a bulk action: `env=prod team=core` (tag) or `env team` (untag: keys only; a value is ignored).
 * Returns the map the API takes, or an error for the `tags` field.
 */
export function parseBulkTags(
  text: string,
  mode: "tag" | "untag",
): { tags: Record<string, string>; error: string | null } {
  const words = text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
  if (!words.length)
    return { tags: {}, error: mode === "tag" ? "Enter at least one key=value" : "Enter at least one key" };
  const tags: Record<string, string> = {};
  for (const word of words) {
    const separator = word.indexOf("=");
    if (mode === "untag") {
      tags[separator === -1 ? word : word.slice(0, separator)] = "";
      continue;
    }
    if (separator < 1) return { tags, error: `“${word}” is not key=value` };
    tags[word.slice(0, separator)] = word.slice(separator + 1);
  }
  return { tags, error: null };
}

/** A form's number field: undefined when empty, NaN when it is not a whole number (the caller reports it). */
export function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** The port a new target gets when none is entered (as the API does it): 22, or 443/80 by scheme. */
export function defaultPort(kind: TargetKind, scheme: "http" | "https" = "https"): number {
  if (kind === "ssh") return 22;
  return scheme === "https" ? 443 : 80;
}

// ---------------------------------------------------------------------------------------------------------
// Bulk actions

export const BULK_ACTION_LABELS = {
  tag: "Tag",
  untag: "Untag",
  enable: "Enable",
  disable: "Disable",
  maintenance_on: "Maintenance on",
  maintenance_off: "Maintenance off",
  delete: "Delete",
  set_health_interval: "Health interval",
} as const;
export type BulkAction = keyof typeof BULK_ACTION_LABELS;
export const BULK_ACTIONS = Object.keys(BULK_ACTION_LABELS) as BulkAction[];

export function isBulkAction(value: string): value is BulkAction {
  return Object.hasOwn(BULK_ACTION_LABELS, value);
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The toast after a bulk action: "Tagged 2 targets.", "Deleted 1 target.". */
export function describeBulkResult(action: BulkAction, affected: number): string {
  const targets = plural(affected, "target");
  switch (action) {
    case "tag":
      return `Tagged ${targets}.`;
    case "untag":
      return `Removed tags from ${targets}.`;
    case "enable":
      return `Enabled ${targets}.`;
    case "disable":
      return `Disabled ${targets}.`;
    case "maintenance_on":
      return `Put ${targets} in maintenance.`;
    case "maintenance_off":
      return `Took ${targets} out of maintenance.`;
    case "delete":
      return `Deleted ${targets}.`;
    case "set_health_interval":
      return `Changed the health check interval of ${targets}.`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Import and export

export type ExchangeFormat = "csv" | "yaml";

/** The format a file name suggests (`.yml`/`.yaml` → YAML), or null when it suggests none. */
export function formatOfFileName(name: string): ExchangeFormat | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  return null;
}

/** `targets-2026-11-26.yaml`. */
export function exportFileName(format: ExchangeFormat, now: Date): string {
  return `targets-${now.toISOString().slice(0, 10)}.${format}`;
}

export interface ImportReport {
  dryRun: boolean;
  create: { name: string; address: string; kind: TargetKind }[];
  update: { name: string; changes: string[] }[];
  unchanged: number;
  errors: { line: number; field: string | null; message: string }[];
  applied: boolean;
}

export interface ImportReportView {
  create: ImportReport["create"];
  update: ImportReport["update"];
  unchanged: number;
  /** By line; `key` tells the rows apart for React (a line can have several problems). */
  errors: (ImportReport["errors"][number] & { key: string })[];
  /** One line: "2 to create, 1 to update, 3 unchanged, 1 error". */
  summary: string;
  /** Applying makes sense: no errors and something to change. */
  canApply: boolean;
}

export function presentImportReport(report: ImportReport): ImportReportView {
  const verb = report.applied ? ["created", "updated"] : ["to create", "to update"];
  const parts = [
    `${report.create.length} ${verb[0]}`,
    `${report.update.length} ${verb[1]}`,
    `${report.unchanged} unchanged`,
  ];
  if (report.errors.length) parts.push(plural(report.errors.length, "error"));
  return {
    create: report.create,
    update: report.update,
    unchanged: report.unchanged,
    errors: [...report.errors]
      .sort((a, b) => a.line - b.line)
      .map((error, index) => ({ ...error, key: `${index}:${error.line}:${error.field ?? ""}` })),
    summary: parts.join(", "),
    canApply: report.errors.length === 0 && report.create.length + report.update.length > 0,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The detail page: connection test, health history

const ERROR_KIND_TEXT: Record<NonNullable<TConnectionTestResponse["error"]>["kind"], string> = {
  dns: "The host name could not be resolved.",
  refused: "The connection was refused: nothing listens on that port, or a firewall rejects it.",
  timeout: "No answer in time: the host is down, unreachable or filtered by a firewall.",
  auth: "The host refused the credential: check the user name and the key or password.",
  host_key_mismatch:
    "The host presented a different host key than the pinned one. Either the host was reinstalled or its keys rotated, or someone is intercepting the connection. No credential was sent.",
  tls: "The TLS handshake failed: an untrusted, expired or wrong certificate.",
  http_status: "The server answered with an unexpected HTTP status.",
  protocol: "The server did not speak the expected protocol.",
  no_credential: "No credential is attached to this target.",
};

export interface ConnectionTestView {
  ok: boolean;
  headline: string;
  latency: string;
  /** The SSH banner or "HTTP 200". */
  detail: string | null;
  /** The error kind in plain words, and the raw message from the probe. */
  explanation: string | null;
  errorMessage: string | null;
  errorKind: string | null;
  hostKey: { algorithm: string; fingerprint: string; pinnedNow: boolean } | null;
}

export function presentConnectionTest(result: TConnectionTestResponse): ConnectionTestView {
  return {
    ok: result.ok,
    headline: result.ok ? "Connection works" : "Connection failed",
    latency: formatLatency(result.latencyMs),
    detail: result.detail,
    explanation: result.error ? ERROR_KIND_TEXT[result.error.kind] : null,
    errorMessage: result.error?.message ?? null,
    errorKind: result.error?.kind ?? null,
    hostKey: result.hostKey
      ? {
          algorithm: result.hostKey.algorithm,
          fingerprint: result.hostKey.fingerprintSha256,
          pinnedNow: result.hostKey.pinnedNow,
        }
      : null,
  };
}

export interface HealthCheck {
  status: THealthStatus;
  latencyMs: number | null;
  error: string | null;
  checkedAt: string;
}

export interface HealthPoint {
  /** Milliseconds since the epoch, the chart's x. */
  time: number;
  status: THealthStatus;
  /** The measured latency; null for a check without one (a timeout, a refused connection). */
  latency: number | null;
  /** 0 for a check without a latency, so it is drawn as a mark on the baseline; otherwise null. */
  outage: number | null;
  color: string;
}

export interface HealthHistoryView {
  /** Oldest first, for the chart. */
  points: HealthPoint[];
  /** Newest first, for the list. */
  latest: {
    key: string;
    status: THealthStatus;
    label: string;
    tone: BadgeTone;
    latency: string;
    checkedAt: string;
    ago: string;
    error: string | null;
  }[];
  /** "96% up over 200 checks · median 14 ms", or null without checks. */
  summary: string | null;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The API answers newest first; the chart wants oldest first, the list the latest few. */
export function presentHealthHistory(items: HealthCheck[], now: Date, listSize = 10): HealthHistoryView {
  const points = [...items].reverse().map((item) => ({
    time: new Date(item.checkedAt).getTime(),
    status: item.status,
    latency: item.latencyMs,
    outage: item.latencyMs === null ? 0 : null,
    color: HEALTH_COLORS[item.status],
  }));
  const up = items.filter((item) => item.status === "up").length;
  const latencies = items.flatMap((item) => (item.latencyMs === null ? [] : [item.latencyMs]));
  const middle = median(latencies);
  return {
    points,
    latest: items.slice(0, listSize).map((item, index) => ({
      key: `${item.checkedAt}-${index}`,
      status: item.status,
      label: HEALTH_LABELS[item.status],
      tone: HEALTH_TONES[item.status],
      latency: formatLatency(item.latencyMs),
      checkedAt: formatDateTime(item.checkedAt),
      ago: formatAgo(item.checkedAt, now),
      error: item.error,
    })),
    summary: items.length
      ? `${Math.round((up / items.length) * 100)}% up over ${plural(items.length, "check")}${
          middle === null ? "" : ` · median ${formatLatency(middle)}`
        }`
      : null,
  };
}
