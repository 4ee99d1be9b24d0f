import type { TScan } from "@opsc/contracts/discovery/scans";
import { useCallback, useEffect } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { DiscoveryActionResult } from "../../lib/discovery.client.ts";
import { type ScanFormValues, scanFormValues } from "../../lib/discovery.presenter.ts";
import { unplacedErrors } from "../../lib/targets.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { ConfirmDeleteForm } from "../ui/confirm-delete-form.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { CheckboxField, TextField } from "../ui/field.tsx";
import { useResultToast, useToast } from "../ui/toast.tsx";

/** The error keys the fields below show; anything else (an `id`, an unexpected path) goes to the form's alert. */
const SCAN_FIELDS = [
  "name",
  "description",
  "ranges",
  "ports",
  "timeoutMs",
  "concurrency",
  "reverseDns",
  "schedule",
  "schedule.cron",
  "schedule.timeZone",
];

type Fetcher = ReturnType<typeof useFetcher<DiscoveryActionResult>>;

/** Closes the dialog once its action succeeded, forgetting the result so the next opening starts afresh. */
function useCloseOnSuccess(fetcher: Fetcher, ok: boolean, onClose: () => void) {
  useEffect(() => {
    if (fetcher.state === "idle" && ok) {
      fetcher.reset();
      onClose();
    }
  }, [fetcher, ok, onClose]);
}

/** Cancel, Escape or the backdrop: a failure's errors are dropped with the dialog. */
function useDismiss(fetcher: Fetcher, onClose: () => void) {
  return useCallback(() => {
    fetcher.reset();
    onClose();
  }, [fetcher, onClose]);
}

export function NewScanDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return <ScanFormDialog intent="create-scan" open={open} scan={null} onClose={onClose} />;
}

/** Opens for `scan` (null: closed) with its fields filled in; the update sends only what changed. */
export function EditScanDialog({ scan, onClose }: { scan: TScan | null; onClose: () => void }) {
  return <ScanFormDialog intent="update-scan" open={scan !== null} scan={scan} onClose={onClose} />;
}

/**
 * One form for both: empty to create a scan (posted to /discovery), or filled with `scan` to change it (posted to
 * the page it is on, the list or the scan's own page, which then reload).
 */
function ScanFormDialog({
  intent,
  open,
  scan,
  onClose,
}: {
  intent: "create-scan" | "update-scan";
  open: boolean;
  scan: TScan | null;
  onClose: () => void;
}) {
  const editing = intent === "update-scan";
  // Each mode has its own fetcher: a closed edit dialog never sees (or resets) a creation's result.
  const fetcher = useFetcher<DiscoveryActionResult>({ key: intent });
  const result = fetcher.data?.intent === intent ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  useCloseOnSuccess(fetcher, result?.ok === true, onClose);
  const dismiss = useDismiss(fetcher, onClose);
  const errors = fieldErrorsOf(result);
  const unplaced = unplacedErrors(errors, SCAN_FIELDS);
  return (
    <Dialog
      size="wide"
      open={open}
      onClose={dismiss}
      title={editing ? `Edit ${scan?.name ?? "scan"}` : "New scan"}
      description={
        editing
          ? "Changes apply from the next run; past runs keep the definition they ran with."
          : "Probes TCP ports on every address of the ranges, which must lie inside the allowed ranges."
      }
    >
      <fetcher.Form
        method="post"
        action={editing ? undefined : "/discovery"}
        className="space-y-4"
        noValidate
      >
        <input type="hidden" name="intent" value={intent} />
        {scan ? <input type="hidden" name="id" value={scan.id} /> : null}
        {result && !result.ok && (unplaced.length || !Object.keys(errors).length) ? (
          <Alert tone="error">{unplaced.length ? unplaced.join(" ") : result.message}</Alert>
        ) : null}
        <ScanFields values={scanFormValues(scan)} errors={errors} />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={dismiss}>
            Cancel
          </Button>
          <Button
            type="submit"
            isPending={fetcher.state !== "idle"}
            pendingLabel={editing ? "Saving…" : "Creating…"}
          >
            {editing ? "Save changes" : "Create scan"}
          </Button>
        </div>
      </fetcher.Form>
    </Dialog>
  );
}

function ScanFields({ values, errors }: { values: ScanFormValues; errors: Record<string, string> }) {
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Name"
          name="name"
          placeholder="Lab sweep"
          defaultValue={values.name}
          error={errors.name}
        />
        <TextField
          label="Description"
          name="description"
          defaultValue={values.description}
          error={errors.description}
        />
        <TextField
          label="Ranges"
          name="ranges"
          placeholder="10.20.0.0/24, 10.20.1.7"
          hint="CIDR blocks or addresses, separated by commas."
          defaultValue={values.ranges}
          error={errors.ranges}
        />
        <TextField
          label="Ports"
          name="ports"
          placeholder="22, 80, 443"
          hint="A comma list; 8000-8010 for a run of ports."
          defaultValue={values.ports}
          error={errors.ports}
        />
        <TextField
          label="Timeout (ms)"
          name="timeoutMs"
          inputMode="numeric"
          placeholder="1000"
          hint="Per connection attempt, 100–30000."
          defaultValue={values.timeoutMs}
          error={errors.timeoutMs}
        />
        <TextField
          label="Concurrency"
          name="concurrency"
          inputMode="numeric"
          placeholder="200"
          hint="Probes at once, 1–1000."
          defaultValue={values.concurrency}
          error={errors.concurrency}
        />
        <TextField
          label="Schedule (cron)"
          name="cron"
          placeholder="0 3 * * *"
          hint="Optional; leave empty to run by hand only."
          defaultValue={values.cron}
          error={errors["schedule.cron"] ?? errors.schedule}
        />
        <TextField
          label="Time zone"
          name="timeZone"
          placeholder="UTC"
          defaultValue={values.timeZone}
          error={errors["schedule.timeZone"]}
        />
      </div>
      <CheckboxField label="Look up reverse DNS names" name="reverseDns" defaultChecked={values.reverseDns} />
    </>
  );
}

/**
 * Asks before deleting `scan` (null: closed) with its runs and results. `onDeleted` runs after the toast: the list
 * just closes the dialog (it reloads by itself), the scan's own page leaves for the list.
 */
export function DeleteScanDialog({
  scan,
  onClose,
  onDeleted,
}: {
  scan: TScan | null;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const fetcher = useFetcher<DiscoveryActionResult>({ key: "delete-scan" });
  const result = fetcher.data?.intent === "delete-scan" ? fetcher.data : undefined;
  const toast = useToast();
  const dismiss = useDismiss(fetcher, onClose);
  // The toast lives in the app layout, so it outlasts the scan's page.
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      toast("success", result.message);
      fetcher.reset();
      onDeleted();
    }
  }, [fetcher, result, toast, onDeleted]);
  return (
    <Dialog
      open={scan !== null}
      onClose={dismiss}
      title={scan ? `Delete ${scan.name}?` : ""}
      description="The scan is removed with all its runs and results. Targets imported from it stay."
    >
      {scan ? (
        <ConfirmDeleteForm
          fetcher={fetcher}
          intent="delete-scan"
          id={scan.id}
          label={scan.name}
          result={result}
          onCancel={dismiss}
          submitLabel="Delete scan"
        />
      ) : null}
    </Dialog>
  );
}
