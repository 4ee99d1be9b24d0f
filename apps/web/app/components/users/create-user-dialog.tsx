import { useEffect, useRef } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import { ROLE_LABELS, ROLES } from "../../lib/roles.ts";
import type { UsersActionResult } from "../../lib/users.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));

export function CreateUserDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const fetcher = useFetcher<UsersActionResult>({ key: "create-user" });
  const formRef = useRef<HTMLFormElement>(null);
  const result = fetcher.data?.intent === "create" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const errors = fieldErrorsOf(result);

  // Close and clear the form once the user exists; a failed attempt keeps what was typed.
  // Reset the fetcher too, or reopening the dialog would find the old success and close at once.
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      formRef.current?.reset();
      fetcher.reset();
      onClose();
    }
  }, [fetcher, result, onClose]);

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Create user"
      description="They sign in with this e-mail and password; ask them to change it."
    >
      {/* noValidate: the API checks every field and its messages appear next to them. */}
      <fetcher.Form ref={formRef} method="post" className="space-y-4" noValidate>
        <input type="hidden" name="intent" value="create" />
        {result && !result.ok && !Object.keys(errors).length ? (
          <Alert tone="error">{result.message}</Alert>
        ) : null}
        <TextField label="Name" name="name" autoComplete="off" required error={errors.name} />
        <TextField
          label="E-mail"
          name="email"
          type="email"
          autoComplete="off"
          required
          error={errors.email}
        />
        <SelectField
          label="Role"
          name="role"
          defaultValue="viewer"
          options={ROLE_OPTIONS}
          error={errors.role}
        />
        <TextField
          label="Initial password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          error={errors.password}
          hint="At least 12 characters."
        />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Creating…">
            Create user
          </Button>
        </div>
      </fetcher.Form>
    </Dialog>
  );
}
