import { type FetcherWithComponents, useFetcher } from "react-router";
import type { ActionResult } from "../../lib/action-result.ts";
import { Alert } from "./alert.tsx";
import { Button } from "./button.tsx";
import { Dialog } from "./dialog.tsx";
import { useResultToast } from "./toast.tsx";
import { useCloseOnSuccess } from "./use-close-on-success.ts";

/**
 * The body of a "Delete …?" dialog: posts `intent`, `id` and `label` through `fetcher`, shows the API's refusal, and
 * offers Cancel (focused, so Enter does not delete) and the destructive button.
 */
export function ConfirmDeleteForm({
  fetcher,
  intent,
  id,
  label,
  result,
  onCancel,
  submitLabel,
}: {
  // biome-ignore lint/suspicious/noExplicitAny: any action's fetcher; only its Form and state are used.
  fetcher: FetcherWithComponents<any>;
  intent: string;
  id: string;
  label: string;
  result: ActionResult<string, unknown> | undefined;
  onCancel: () => void;
  submitLabel: string;
}) {
  return (
    <fetcher.Form method="post" className="space-y-4">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="label" value={label} />
      {result && !result.ok ? <Alert tone="error">{result.message}</Alert> : null}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} autoFocus>
          Cancel
        </Button>
        <Button type="submit" variant="danger" isPending={fetcher.state !== "idle"} pendingLabel="Deleting…">
          {submitLabel}
        </Button>
      </div>
    </fetcher.Form>
  );
}

/**
 * "Delete <name>?": a dialog around <ConfirmDeleteForm> that posts `intent` to the page showing it (the fetcher key
 * is the intent too), toasts the success, shows a refusal inline and closes once the deletion went through.
 */
export function ConfirmDeleteDialog({
  item,
  intent,
  noun,
  description,
  onClose,
}: {
  item: { id: string; name: string } | null;
  intent: string;
  /** "calendar": the title while there is no item ("Delete calendar?") and the button ("Delete calendar"). */
  noun: string;
  description: string;
  onClose: () => void;
}) {
  const fetcher = useFetcher<ActionResult<string, unknown>>({ key: intent });
  const result = fetcher.data?.intent === intent ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  useCloseOnSuccess(fetcher, result, onClose);
  return (
    <Dialog
      open={item !== null}
      onClose={onClose}
      title={`Delete ${item?.name ?? noun}?`}
      description={description}
    >
      {item ? (
        <ConfirmDeleteForm
          fetcher={fetcher}
          intent={intent}
          id={item.id}
          label={item.name}
          result={result}
          onCancel={onClose}
          submitLabel={`Delete ${noun}`}
        />
      ) : null}
    </Dialog>
  );
}
