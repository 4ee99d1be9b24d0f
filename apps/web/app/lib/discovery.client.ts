import type { TAllowedRange } from "@opsc/contracts/discovery/ranges";
import type { TRunDiff } from "@opsc/contracts/discovery/results";
import type { TScanRun } from "@opsc/contracts/discovery/runs";
import type { TCreateScanRequest, TScan } from "@opsc/contracts/discovery/scans";
import { redirect } from "react-router";
import { type ActionResult, formText, succeeded } from "./action-result.ts";
import {
  type HostRow,
  normaliseScanErrors,
  type Paging,
  pageBeyondEnd,
  pageHref,
  pageRequest,
  parsePage,
  parsePorts,
  parseTags,
  presentHost,
  presentPaging,
  RUNS_PAGE_SIZE,
  SCANS_PAGE_SIZE,
  scanChanges,
  selectRun,
  splitList,
} from "./discovery.presenter.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { errorCode, getOps } from "./ops.client.ts";

// ---------------------------------------------------------------------------------------------------------
// Loaders

export interface DiscoveryPage {
  ranges: TAllowedRange[];
  scans: TScan[];
  paging: Paging;
}

/** A page past the end of a list that shrank (the last scan of a page deleted): the same URL at its last page. */
function redirectBeyondEnd(url: URL, page: number, size: number, total: number) {
  const last = pageBeyondEnd(page, size, total);
  if (last !== null) throw redirect(`${url.pathname}${pageHref(url.search, last)}`);
}

/** /discovery: the allowed ranges and one page of the scans (`?page=`). */
export async function loadDiscoveryPage(request: Request): Promise<DiscoveryPage> {
  const url = new URL(request.url);
  const page = parsePage(url.searchParams, SCANS_PAGE_SIZE);
  const discovery = getOps().discovery;
  const [ranges, scans] = await Promise.all([
    discovery.ranges.list.query(),
    discovery.scans.list.query(pageRequest(page, SCANS_PAGE_SIZE)),
  ]).catch(rethrowLoaderError);
  redirectBeyondEnd(url, page, SCANS_PAGE_SIZE, scans.total);
  return {
    ranges: ranges.items,
    scans: scans.items,
    paging: presentPaging(page, SCANS_PAGE_SIZE, scans.total, scans.items.length),
  };
}

export interface ScanDetail {
  scan: TScan;
  /** One page of the runs, newest first (`?page=`). */
  runs: TScanRun[];
  paging: Paging;
  /** The run shown below the list (`?run=`, else the newest of the page), with what it found once it finished. */
  run: TScanRun | null;
  hosts: HostRow[];
  diff: TRunDiff | null;
}

export async function loadScanDetail(id: string, request: Request): Promise<ScanDetail> {
  const discovery = getOps().discovery;
  const url = new URL(request.url);
  const requested = url.searchParams.get("run");
  const page = parsePage(url.searchParams, RUNS_PAGE_SIZE);
  try {
    const [scan, runs] = await Promise.all([
      discovery.scans.get.query({ id }),
      discovery.runs.list.query({ scanId: id, ...pageRequest(page, RUNS_PAGE_SIZE) }),
    ]);
    redirectBeyondEnd(url, page, RUNS_PAGE_SIZE, runs.total);
    const paging = presentPaging(page, RUNS_PAGE_SIZE, runs.total, runs.items.length);
    // A run picked on another page of the list stays shown while paging through it.
    const listed = selectRun(runs.items, requested);
    const run =
      requested && listed?.id !== requested ? ((await requestedRun(requested, id)) ?? listed) : listed;
    const shown = { scan, runs: runs.items, paging, run };
    if (run?.status !== "completed") return { ...shown, hosts: [], diff: null };
    const [results, diff] = await Promise.all([
      discovery.results.list.query({ runId: run.id, limit: 1000 }),
      discovery.results.diff.query({ runId: run.id }),
    ]);
    return { ...shown, hosts: results.items.map(presentHost), diff };
  } catch (error) {
    if (error instanceof Response) throw error;
    if (errorCode(error) === "NOT_FOUND" || errorCode(error) === "BAD_REQUEST")
      throw new Response("Scan not found", { status: 404 });
    rethrowLoaderError(error);
  }
}

/** `?run=` when it names a run of this scan; a stale or foreign id is ignored rather than an error page. */
async function requestedRun(runId: string, scanId: string): Promise<TScanRun | null> {
  try {
    const run = await getOps().discovery.runs.get.query({ id: runId });
    return run.scanId === scanId ? run : null;
  } catch (error) {
    if (errorCode(error) === "NOT_FOUND" || errorCode(error) === "BAD_REQUEST") return null;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Actions

export const DISCOVERY_INTENTS = [
  "create-range",
  "delete-range",
  "create-scan",
  "update-scan",
  "delete-scan",
  "run-scan",
  "cancel-run",
  "import",
] as const;
export type DiscoveryIntent = (typeof DISCOVERY_INTENTS)[number];

export interface DiscoveryActionData {
  range?: TAllowedRange;
  scan?: TScan;
  run?: TScanRun;
  imported?: { address: string; targetId: string; name: string }[];
}
export type DiscoveryActionResult = ActionResult<DiscoveryIntent, DiscoveryActionData>;

function isDiscoveryIntent(value: string): value is DiscoveryIntent {
  return (DISCOVERY_INTENTS as readonly string[]).includes(value);
}

function failed(intent: DiscoveryIntent, fieldErrors: Record<string, string>): DiscoveryActionResult {
  return { intent, ok: false, message: "Check the highlighted fields.", fieldErrors };
}

function apiFailure(intent: DiscoveryIntent, error: unknown): DiscoveryActionResult {
  const failure = failureOf(intent, error);
  return { ...failure, fieldErrors: normaliseScanErrors(failure.fieldErrors) };
}

/** The scan form (new or edit) as the create request; numbers and ports that do not parse come back as field errors. */
export function scanInputFromForm(
  form: FormData,
): { ok: true; input: TCreateScanRequest } | { ok: false; fieldErrors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const { ports, error: portsError } = parsePorts(formText(form, "ports"));
  if (portsError) errors.ports = portsError;
  const whole = (name: string): number | undefined => {
    const text = formText(form, name);
    if (!text) return undefined;
    if (!/^\d+$/.test(text)) {
      errors[name] = "Enter a whole number";
      return undefined;
    }
    return Number(text);
  };
  const timeoutMs = whole("timeoutMs");
  const concurrency = whole("concurrency");
  if (Object.keys(errors).length) return { ok: false, fieldErrors: errors };
  const cron = formText(form, "cron");
  return {
    ok: true,
    input: {
      name: formText(form, "name"),
      description: formText(form, "description"),
      ranges: splitList(formText(form, "ranges")),
      ports,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      reverseDns: form.get("reverseDns") === "on",
      schedule: cron ? { cron, timeZone: formText(form, "timeZone") || "UTC" } : null,
    },
  };
}

/** The import form: one `address` per ticked host, with `name:<address>` and `tags:<address>` beside it. */
export function importInputFromForm(form: FormData):
  | { ok: true; hosts: { address: string; name: string; tags: Record<string, string> }[] }
  | {
      ok: false;
      fieldErrors: Record<string, string>;
    } {
  const addresses = form.getAll("address").map(String);
  if (!addresses.length) return { ok: false, fieldErrors: { _: "Select at least one host to import." } };
  const errors: Record<string, string> = {};
  const hosts = addresses.map((address) => {
    const { tags, error } = parseTags(formText(form, `tags:${address}`));
    if (error) errors[`tags:${address}`] = error;
    return { address, name: formText(form, `name:${address}`), tags };
  });
  return Object.keys(errors).length ? { ok: false, fieldErrors: errors } : { ok: true, hosts };
}

/** One clientAction for /discovery and /discovery/scans/:id, told apart by the form's `intent` field. */
export async function runDiscoveryAction(form: FormData): Promise<DiscoveryActionResult> {
  const intent = formText(form, "intent");
  if (!isDiscoveryIntent(intent)) throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const discovery = getOps().discovery;
  const id = formText(form, "id");
  const label = formText(form, "label");
  try {
    switch (intent) {
      case "create-range": {
        const range = await discovery.ranges.create.mutate({
          cidr: formText(form, "cidr"),
          description: formText(form, "description"),
        });
        return succeeded(intent, `Allowed ${range.cidr}.`, { range });
      }
      case "delete-range":
        await discovery.ranges.delete.mutate({ id });
        return succeeded(intent, `Removed ${label || "the range"}.`, {});
      case "create-scan": {
        const parsed = scanInputFromForm(form);
        if (!parsed.ok) return failed(intent, parsed.fieldErrors);
        const scan = await discovery.scans.create.mutate(parsed.input);
        return succeeded(intent, `Created the scan ${scan.name}.`, { scan });
      }
      case "update-scan": {
        const parsed = scanInputFromForm(form);
        if (!parsed.ok) return failed(intent, parsed.fieldErrors);
        // Only what differs from the scan as stored is sent (see scanChanges).
        const current = await discovery.scans.get.query({ id });
        const data = scanChanges(current, parsed.input);
        if (!Object.keys(data).length) return succeeded(intent, `Nothing changed in ${current.name}.`, {});
        const scan = await discovery.scans.update.mutate({ id, data });
        return succeeded(intent, `Saved the scan ${scan.name}.`, { scan });
      }
      case "delete-scan":
        await discovery.scans.delete.mutate({ id });
        return succeeded(intent, `Deleted ${label || "the scan"}.`, {});
      case "run-scan": {
        const run = await discovery.scans.run.mutate({ id });
        return succeeded(intent, `${label || "The scan"} is queued.`, { run });
      }
      case "cancel-run": {
        const run = await discovery.runs.cancel.mutate({ id });
        return succeeded(intent, "Cancelling the run.", { run });
      }
      case "import": {
        const parsed = importInputFromForm(form);
        if (!parsed.ok) return failed(intent, parsed.fieldErrors);
        const request = {
          runId: formText(form, "runId"),
          hosts: parsed.hosts.map((host) => ({
            address: host.address,
            ...(host.name ? { name: host.name } : {}),
            tags: host.tags,
          })),
        };
        const items = await discovery.results.import
          .mutate(request)
          .then((response) => response.items)
          .catch((error: unknown) => {
            throw new ImportFailure(
              importFailure(
                error,
                parsed.hosts.map((host) => host.address),
              ),
            );
          });
        return succeeded(intent, `Imported ${items.length} target${items.length === 1 ? "" : "s"}.`, {
          imported: items.map(({ address, targetId, name }) => ({ address, targetId, name })),
        });
      }
    }
  } catch (error) {
    if (error instanceof ImportFailure) return error.result;
    return apiFailure(intent, error);
  }
}

class ImportFailure extends Error {
  constructor(readonly result: DiscoveryActionResult) {
    super(result.message);
  }
}

/** `hosts.<index>.<field>` from the API, keyed like the import table's inputs (`name:<address>`). */
function importFailure(error: unknown, addresses: readonly string[]): DiscoveryActionResult {
  const failure = failureOf("import" as const, error);
  const errors: Record<string, string> = {};
  for (const [path, message] of Object.entries(failure.fieldErrors)) {
    const match = /^hosts\.(\d+)\.(\w+)/.exec(path);
    const address = match ? addresses[Number(match[1])] : undefined;
    const key = match && address ? `${match[2] === "address" ? "host" : match[2]}:${address}` : path;
    errors[key] ??= message;
  }
  return { ...failure, fieldErrors: errors };
}
