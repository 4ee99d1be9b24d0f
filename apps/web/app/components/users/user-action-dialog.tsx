import type { TUser } from "@opsc/contracts/users/accounts";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { UsersActionResult } from "../../lib/users.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { useCloseOnSuccess } from "../ui/use-close-on-success.ts";

export type UserDialogKind = "disable" | "reset-password" | "delete";

const COPY: Record<
  UserDialogKind,
  { title: (user: TUser) => string; text: string; confirm: string; pending: string; danger: boolean }
> = {
  disable: {
    title: (user) => `Disable ${user.name}?`,
    text: "They are signed out everywhere and cannot sign in until an administrator enables them again.",
    confirm: "Disable",
    pending: "Disabling…",
    danger: true,
  },
  "reset-password": {
    title: (user) => `Set a new password for ${user.name}`,
    text: "Their sessions end; tell them the new password through a safe channel.",
    confirm: "Set password",
    pending: "Saving…",
    danger: false,
  },
  delete: {
    title: (user) => `Delete ${user.name}?`,
    text: "The account and its API keys are removed for good. Disabling keeps the history instead.",
    confirm: "Delete user",
    pending: "Deleting…",
    danger: true,
  },
};

/** The confirmation (and, for a reset, the new password) for the row actions that deserve a second look. */
export function UserActionDialog({
  dialog,
  onClose,
}: {
  dialog: { kind: UserDialogKind; user: TUser } | null;
  onClose: () => void;
}) {
  const fetcher = useFetcher<UsersActionResult>({ key: "user-action" });
  const result = fetcher.data;
  useResultToast(result, { errors: "inline" });

  // Done: close, and forget the result so the next dialog does not start out "done".
  useCloseOnSuccess(fetcher, result, onClose);

  const copy = dialog ? COPY[dialog.kind] : null;
  return (
    <Dialog
      open={dialog !== null}
      onClose={onClose}
      title={dialog && copy ? copy.title(dialog.user) : ""}
      description={copy?.text}
    >
      {dialog && copy ? (
        <ActionForm fetcher={fetcher} kind={dialog.kind} user={dialog.user} onClose={onClose} />
      ) : null}
    </Dialog>
  );
}

function ActionForm({
  fetcher,
  kind,
  user,
  onClose,
}: {
  fetcher: ReturnType<typeof useFetcher<UsersActionResult>>;
  kind: UserDialogKind;
  user: TUser;
  onClose: () => void;
}) {
  const copy = COPY[kind];
  const result = fetcher.data && fetcher.data.intent === kind ? fetcher.data : undefined;
  const errors = fieldErrorsOf(result);
  return (
    <fetcher.Form method="post" className="space-y-4" noValidate>
      <input type="hidden" name="intent" value={kind} />
      <input type="hidden" name="id" value={user.id} />
      <input type="hidden" name="label" value={user.email} />
      {result && !result.ok && !errors.newPassword && !errors.reason ? (
        <Alert tone="error">{result.message}</Alert>
      ) : null}
      {kind === "reset-password" ? (
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          autoFocus
          error={errors.newPassword}
          hint="At least 12 characters."
        />
      ) : null}
      {kind === "disable" ? (
        <TextField label="Reason (optional)" name="reason" maxLength={500} error={errors.reason} />
      ) : null}
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onClose} autoFocus={kind !== "reset-password"}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant={copy.danger ? "danger" : "primary"}
          isPending={fetcher.state !== "idle"}
          pendingLabel={copy.pending}
        >
          {copy.confirm}
        </Button>
      </div>
    </fetcher.Form>
  );
}
