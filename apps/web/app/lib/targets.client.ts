import type { TConnectionTestResponse } from "@opsc/contracts/targets/connection";
import type { TCreateTargetRequest, TTarget } from "@opsc/contracts/targets/targets";
import { redirect } from "react-router";
import { type ActionResult, formText, succeeded } from "./action-result.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { errorCode, fieldErrors, getOps } from "./ops.client.ts";
import {
  type BulkAction,
  describeBulkResult,
  type ExchangeFormat,
  type HealthCheck,
  type ImportReport,
  isBulkAction,
  normaliseFieldErrors,
  parseBulkTags,
  parseTargetsQuery,
  presentSelectorFailure,
  presentTargetsPage,
  type TargetKind,
  type TargetsPage,
  tagsFromRows,
  toListTargetsRequest,
  toTargetsSearchParams,
  wholeNumber,
} from "./targets.presenter.ts";

// ---------------------------------------------------------------------------------------------------------
// Loaders

/** The /targets list: one page of the server's keyset paging, never more. */
export async function loadTargetsPage(request: Request): Promise<TargetsPage> {
  const query = parseTargetsQuery(new URL(request.url).searchParams);
  try {
    const response = await getOps().targets.list.query(toListTargetsRequest(query));
    return presentTargetsPage(query, response);
  } catch (error) {
    const errors = fieldErrors(error);
    // A selector typed into the URL by hand: show the parser's verdict at the selector box, not an error page.
    if (errorCode(error) === "BAD_REQUEST" && errors.selector)
      return presentSelectorFailure(query, errors.selector);
    // A cursor from an old link (or edited): start over at the first page.
    if (errorCode(error) === "BAD_REQUEST" && errors.cursor) {
      throw redirect(`/targets?${toTargetsSearchParams({ ...query, cursors: [] })}`);
    }
    rethrowLoaderError(error);
  }
}

export type SelectorPreview =
  | { selector: string; ok: true; count: number; items: { id: string; name: string; address: string }[] }
  | { selector: string; ok: false; message: string };

export const PREVIEW_SIZE = 8;

/** What a selector matches, for the live preview under the selector box. */
export async function loadSelectorPreview(request: Request): Promise<SelectorPreview> {
  const selector = (new URL(request.url).searchParams.get("selector") ?? "").trim();
  try {
    const { count, items } = await getOps().targets.preview.query({ selector, limit: PREVIEW_SIZE });
    return { selector, ok: true, count, items };
  } catch (error) {
    const errors = fieldErrors(error);
    if (errorCode(error) === "BAD_REQUEST" && errors.selector)
      return { selector, ok: false, message: errors.selector };
    rethrowLoaderError(error);
  }
}

export interface TargetsExport {
  format: ExchangeFormat;
  content: string;
  count: number;
}

/** CSV or YAML of every target the selector matches (all of them without one). */
export async function loadTargetsExport(request: Request): Promise<TargetsExport> {
  const params = new URL(request.url).searchParams;
  const format: ExchangeFormat = params.get("format") === "csv" ? "csv" : "yaml";
  const selector = (params.get("selector") ?? "").trim();
  try {
    const result = await getOps().targets.export.query({ format, ...(selector ? { selector } : {}) });
    return { format, content: result.content, count: result.count };
  } catch (error) {
    rethrowLoaderError(error);
  }
}

export interface TargetDetail {
  target: TTarget;
  history: HealthCheck[];
}

export const HISTORY_SIZE = 200;

export async function loadTargetDetail(id: string): Promise<TargetDetail> {
  const targets = getOps().targets;
  try {
    const [target, health] = await Promise.all([
      targets.get.query({ id }),
      targets.health.query({ id, limit: HISTORY_SIZE }),
    ]);
    return { target, history: health.items };
  } catch (error) {
    if (errorCode(error) === "NOT_FOUND") throw new Response("Target not found", { status: 404 });
    rethrowLoaderError(error);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Actions

export const TARGET_INTENTS = [
  "create",
  "update",
  "delete",
  "bulk",
  "import",
  "test-connection",
  "repin-host-key",
] as const;
export type TargetIntent = (typeof TARGET_INTENTS)[number];

export interface TargetsActionData {
  target?: TTarget;
  affected?: number;
  bulkAction?: BulkAction;
  report?: ImportReport;
  test?: TConnectionTestResponse;
  hostKey?: { previous: string | null; current: string };
}
export type TargetsActionResult = ActionResult<TargetIntent, TargetsActionData>;

function isTargetIntent(value: string): value is TargetIntent {
  return (TARGET_INTENTS as readonly string[]).includes(value);
}

function failed(intent: TargetIntent, fieldErrors: Record<string, string>): TargetsActionResult {
  return { intent, ok: false, message: "Check the highlighted fields.", fieldErrors };
}

/** An API failure with its field errors keyed like the form's inputs. */
function apiFailure(intent: TargetIntent, error: unknown): TargetsActionResult {
  const failure = failureOf(intent, error);
  return { ...failure, fieldErrors: normaliseFieldErrors(failure.fieldErrors) };
}

/** The whole target as the form describes it; numbers that are not whole numbers come back as field errors. */
export function targetInputFromForm(
  form: FormData,
): { ok: true; input: TCreateTargetRequest } | { ok: false; fieldErrors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const kind = formText(form, "kind") as TargetKind;
  const numberField = (name: string) => {
    const value = wholeNumber(formText(form, name));
    if (Number.isNaN(value)) errors[name] = "Enter a whole number";
    return value;
  };
  const port = numberField("port");
  const expectStatus = numberField("http.expectStatus");
  const interval = numberField("healthIntervalSeconds");
  const keys = form.getAll("tagKey").map(String);
  const values = form.getAll("tagValue").map(String);
  const { tags, error: tagsError } = tagsFromRows(
    keys.map((key, index) => ({ key, value: values[index] ?? "" })),
  );
  if (tagsError) errors.tags = tagsError;
  if (Object.keys(errors).length) return { ok: false, fieldErrors: errors };
  const credentialId = formText(form, "credentialId") || null;
  const sudoCredentialId = kind === "ssh" ? formText(form, "sudoCredentialId") || null : null;
  return {
    ok: true,
    input: {
      name: formText(form, "name"),
      address: formText(form, "address"),
      ...(port !== undefined ? { port } : {}),
      // Not checked here: the API validates the kind with everything else.
      kind,
      tags,
      description: formText(form, "description"),
      enabled: form.get("enabled") === "on",
      maintenance: form.get("maintenance") === "on",
      credentialId,
      sudoCredentialId,
      http:
        kind === "http"
          ? {
              scheme: formText(form, "http.scheme") === "http" ? "http" : "https",
              path: formText(form, "http.path") || "/",
              ...(expectStatus !== undefined ? { expectStatus } : {}),
              insecureTls: form.get("http.insecureTls") === "on",
            }
          : null,
      healthIntervalSeconds: interval ?? null,
    },
  };
}

function bulkTarget(form: FormData): { ids: string[] } | { selector: string } {
  const selector = formText(form, "selector");
  return selector ? { selector } : { ids: form.getAll("ids").map(String) };
}

/** One clientAction for every change on /targets and /targets/:id, told apart by the form's `intent` field. */
export async function runTargetsAction(form: FormData): Promise<TargetsActionResult> {
  const intent = formText(form, "intent");
  if (!isTargetIntent(intent)) throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const targets = getOps().targets;
  const id = formText(form, "id");
  const label = formText(form, "label") || "the target";
  try {
    switch (intent) {
      case "create": {
        const parsed = targetInputFromForm(form);
        if (!parsed.ok) return failed(intent, parsed.fieldErrors);
        const target = await targets.create.mutate(parsed.input);
        return succeeded(intent, `Created ${target.name}.`, { target });
      }
      case "update": {
        const parsed = targetInputFromForm(form);
        if (!parsed.ok) return failed(intent, parsed.fieldErrors);
        const { port, ...data } = parsed.input;
        // An empty port keeps the current one (or the kind's default when the kind changes).
        const target = await targets.update.mutate({ id, data: { ...data, ...(port ? { port } : {}) } });
        return succeeded(intent, `Saved ${target.name}.`, { target });
      }
      case "delete":
        await targets.delete.mutate({ id });
        return succeeded(intent, `Deleted ${label}.`, {});
      case "bulk": {
        const action = formText(form, "action");
        if (!isBulkAction(action)) throw new Response(`Unknown bulk action: ${action}`, { status: 400 });
        let extra: { tags?: Record<string, string>; healthIntervalSeconds?: number | null } = {};
        if (action === "tag" || action === "untag") {
          const { tags, error } = parseBulkTags(formText(form, "tags"), action);
          if (error) return failed(intent, { tags: error });
          extra = { tags };
        }
        if (action === "set_health_interval") {
          const seconds = wholeNumber(formText(form, "healthIntervalSeconds"));
          if (Number.isNaN(seconds)) return failed(intent, { healthIntervalSeconds: "Enter a whole number" });
          extra = { healthIntervalSeconds: seconds ?? null };
        }
        const { affected } = await targets.bulk.mutate({ ...bulkTarget(form), action, ...extra });
        return succeeded(intent, describeBulkResult(action, affected), { affected, bulkAction: action });
      }
      case "import": {
        const dryRun = formText(form, "dryRun") !== "false";
        const report = await targets.import.mutate({
          format: formText(form, "format") === "csv" ? "csv" : "yaml",
          // Untrimmed: leading spaces are YAML indentation.
          content: String(form.get("content") ?? ""),
          dryRun,
        });
        const message = report.applied
          ? `Imported: ${report.create.length} created, ${report.update.length} updated.`
          : dryRun
            ? "Dry run finished: nothing was changed."
            : "Nothing was imported: fix the errors first.";
        return succeeded(intent, message, { report });
      }
      case "test-connection": {
        const test = await targets.testConnection.mutate({ id });
        return succeeded(
          intent,
          test.ok ? `${label}: the connection works.` : `${label}: the connection failed.`,
          { test },
        );
      }
      case "repin-host-key": {
        const { previous, current } = await targets.repinHostKey.mutate({ id });
        // The fingerprint itself is shown in the host key panel; a toast is too narrow for it.
        return succeeded(intent, `Pinned the new host key of ${label}.`, {
          hostKey: { previous: previous?.fingerprintSha256 ?? null, current: current.fingerprintSha256 },
        });
      }
    }
  } catch (error) {
    return apiFailure(intent, error);
  }
}
