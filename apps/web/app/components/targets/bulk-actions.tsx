import { useEffect, useState } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { TargetsActionResult } from "../../lib/targets.client.ts";
import type { BulkAction } from "../../lib/targets.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

/** What a bulk action applies to: the ticked rows, or every target a selector matches. */
export type BulkScope =
  | { kind: "ids"; ids: string[] }
  | { kind: "selector"; selector: string; count: number };

function scopeFields(scope: BulkScope): [string, string][] {
  return scope.kind === "ids" ? scope.ids.map((id) => ["ids", id]) : [["selector", scope.selector]];
}

function describeScope(scope: BulkScope): string {
  const count = scope.kind === "ids" ? scope.ids.length : scope.count;
  return count === 1 ? "1 target" : `${count.toLocaleString()} targets`;
}

type DialogAction = Extract<BulkAction, "tag" | "untag" | "set_health_interval" | "delete">;
const IMMEDIATE: { action: Exclude<BulkAction, DialogAction>; label: string }[] = [
  { action: "enable", label: "Enable" },
  { action: "disable", label: "Disable" },
  { action: "maintenance_on", label: "Maintenance on" },
  { action: "maintenance_off", label: "Maintenance off" },
];

/**
 * The bar above the table while targets are selected. Enabling, disabling and maintenance apply at once;
 * tagging, untagging, the health interval and deleting ask first.
 */
export function BulkBar({
  scope,
  selectAll,
  onDone,
}: {
  scope: BulkScope;
  /** Offered when the whole page is ticked and more targets match the applied selector. */
  selectAll: { count: number; onSelect: () => void } | null;
  onDone: () => void;
}) {
  const fetcher = useFetcher<TargetsActionResult>({ key: "bulk-immediate" });
  const [dialog, setDialog] = useState<DialogAction | null>(null);
  useResultToast(fetcher.data);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) {
      fetcher.reset();
      onDone();
    }
  }, [fetcher, onDone]);

  const run = (action: BulkAction) => {
    const form = new FormData();
    form.set("intent", "bulk");
    form.set("action", action);
    for (const [name, value] of scopeFields(scope)) form.append(name, value);
    void fetcher.submit(form, { method: "post", action: "/targets" });
  };
  const busy = fetcher.state !== "idle";

  return (
    <section
      aria-label="Bulk actions"
      className="mb-3 flex flex-wrap items-center gap-2 rounded-xl border border-indigo-200 bg-indigo-50 px-4 py-2.5 text-sm dark:border-indigo-500/30 dark:bg-indigo-500/10"
      data-bulk-bar
    >
      <span className="mr-2 font-medium text-indigo-900 dark:text-indigo-100" data-bulk-scope>
        {scope.kind === "selector"
          ? `All ${describeScope(scope)} matching the selector`
          : `${describeScope(scope)} selected`}
      </span>
      {selectAll ? (
        <Button variant="ghost" size="sm" onClick={selectAll.onSelect}>
          Select all {selectAll.count.toLocaleString()} matching
        </Button>
      ) : null}
      <div className="flex flex-wrap gap-1.5">
        <Button variant="secondary" size="sm" onClick={() => setDialog("tag")}>
          Tag…
        </Button>
        <Button variant="secondary" size="sm" onClick={() => setDialog("untag")}>
          Untag…
        </Button>
        {IMMEDIATE.map(({ action, label }) => (
          <Button key={action} variant="secondary" size="sm" disabled={busy} onClick={() => run(action)}>
            {label}
          </Button>
        ))}
        <Button variant="secondary" size="sm" onClick={() => setDialog("set_health_interval")}>
          Health interval…
        </Button>
        <Button
          variant="ghost"
          size="sm"
          className="text-red-600 dark:text-red-400"
          onClick={() => setDialog("delete")}
        >
          Delete…
        </Button>
      </div>
      <Button variant="ghost" size="sm" className="ml-auto" onClick={onDone}>
        Clear selection
      </Button>
      <BulkDialog action={dialog} scope={scope} onClose={() => setDialog(null)} onDone={onDone} />
    </section>
  );
}

const DIALOG_COPY: Record<DialogAction, { title: string; confirm: string; pending: string; text: string }> = {
  tag: {
    title: "Tag targets",
    confirm: "Add tags",
    pending: "Tagging…",
    text: "Sets these tags on each target; a key it already has gets the new value.",
  },
  untag: {
    title: "Remove tags",
    confirm: "Remove tags",
    pending: "Removing…",
    text: "Removes these tag keys from each target that has them.",
  },
  set_health_interval: {
    title: "Health check interval",
    confirm: "Set interval",
    pending: "Saving…",
    text: "How often each target is checked. Leave it empty for the default.",
  },
  delete: {
    title: "Delete targets?",
    confirm: "Delete",
    pending: "Deleting…",
    text: "The targets and their health history are removed for good. Disabling keeps them instead.",
  },
};

function BulkDialog({
  action,
  scope,
  onClose,
  onDone,
}: {
  action: DialogAction | null;
  scope: BulkScope;
  onClose: () => void;
  onDone: () => void;
}) {
  const fetcher = useFetcher<TargetsActionResult>({ key: "bulk-dialog" });
  const result = fetcher.data?.intent === "bulk" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const errors = fieldErrorsOf(result);
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      fetcher.reset();
      onClose();
      onDone();
    }
  }, [fetcher, result, onClose, onDone]);
  const close = () => {
    fetcher.reset();
    onClose();
  };
  const copy = action ? DIALOG_COPY[action] : null;
  return (
    <Dialog
      open={action !== null}
      onClose={close}
      title={copy ? `${copy.title} (${describeScope(scope)})` : ""}
      description={copy?.text}
    >
      {action && copy ? (
        <fetcher.Form method="post" action="/targets" className="space-y-4" noValidate>
          <input type="hidden" name="intent" value="bulk" />
          <input type="hidden" name="action" value={action} />
          {scopeFields(scope).map(([name, value]) => (
            <input key={`${name}-${value}`} type="hidden" name={name} value={value} />
          ))}
          {result && !result.ok && !errors.tags && !errors.healthIntervalSeconds ? (
            <Alert tone="error">{result.message}</Alert>
          ) : null}
          {action === "tag" || action === "untag" ? (
            <TextField
              label={action === "tag" ? "Tags (key=value)" : "Tag keys"}
              name="tags"
              autoFocus
              autoComplete="off"
              className="font-mono"
              placeholder={action === "tag" ? "env=prod team=core" : "env team"}
              error={errors.tags}
              hint="Separate several with spaces or commas."
            />
          ) : null}
          {action === "set_health_interval" ? (
            <TextField
              label="Seconds between checks"
              name="healthIntervalSeconds"
              inputMode="numeric"
              autoFocus
              placeholder="default"
              error={errors.healthIntervalSeconds}
              hint="10 to 86400."
            />
          ) : null}
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={close} autoFocus={action === "delete"}>
              Cancel
            </Button>
            <Button
              type="submit"
              variant={action === "delete" ? "danger" : "primary"}
              isPending={fetcher.state !== "idle"}
              pendingLabel={copy.pending}
            >
              {action === "delete" ? `Delete ${describeScope(scope)}` : copy.confirm}
            </Button>
          </div>
        </fetcher.Form>
      ) : null}
    </Dialog>
  );
}
