import type { FetcherWithComponents } from "react-router";
import type { ActionResult } from "../../lib/action-result.ts";
import { Alert } from "./alert.tsx";
import { Button } from "./button.tsx";

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
