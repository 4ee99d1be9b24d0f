import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { TargetsActionResult } from "../../lib/targets.client.ts";
import { unplacedErrors } from "../../lib/targets.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { useCloseOnSuccess } from "../ui/use-close-on-success.ts";
import { TARGET_FIELD_NAMES, TargetFields } from "./target-fields.tsx";
import { useCredentials } from "./use-credentials.ts";

export function CreateTargetDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const fetcher = useFetcher<TargetsActionResult>({ key: "create-target" });
  const credentials = useCredentials(open);
  const result = fetcher.data?.intent === "create" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const errors = fieldErrorsOf(result);
  const unplaced = unplacedErrors(errors, TARGET_FIELD_NAMES);

  // Close once the target exists, and forget the result so reopening starts afresh; a failure keeps the input.
  useCloseOnSuccess(fetcher, result, onClose);

  return (
    <Dialog
      size="wide"
      open={open}
      onClose={onClose}
      title="New target"
      description="A machine reached over SSH, or an HTTP endpoint. Health checks start once it is enabled."
    >
      {credentials === null ? (
        <p className="text-sm text-slate-500" aria-busy="true">
          Loading credentials…
        </p>
      ) : (
        <fetcher.Form method="post" action="/targets" className="space-y-4" noValidate>
          <input type="hidden" name="intent" value="create" />
          {result && !result.ok && (unplaced.length || !Object.keys(errors).length) ? (
            <Alert tone="error">{unplaced.length ? unplaced.join(" ") : result.message}</Alert>
          ) : null}
          <TargetFields credentials={credentials} errors={errors} />
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Creating…">
              Create target
            </Button>
          </div>
        </fetcher.Form>
      )}
    </Dialog>
  );
}
