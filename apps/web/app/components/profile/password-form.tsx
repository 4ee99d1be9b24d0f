import { useEffect, useRef } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { ProfileActionResult } from "../../lib/profile.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { CheckboxField, TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

export function PasswordForm() {
  const fetcher = useFetcher<ProfileActionResult>({ key: "change-password" });
  const formRef = useRef<HTMLFormElement>(null);
  useResultToast(fetcher.data, { errors: "inline" });
  const errors = fieldErrorsOf(fetcher.data);
  const generalError =
    fetcher.data && !fetcher.data.ok && !Object.keys(errors).length ? fetcher.data.message : null;

  // Passwords should not linger in the form after they were accepted.
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) formRef.current?.reset();
  }, [fetcher.state, fetcher.data]);

  return (
    <Card
      id="password"
      title="Password"
      description="At least 12 characters. A passphrase is easiest to remember."
    >
      <fetcher.Form ref={formRef} method="post" className="space-y-4" noValidate>
        <input type="hidden" name="intent" value="change-password" />
        {generalError ? <Alert tone="error">{generalError}</Alert> : null}
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          error={errors.currentPassword}
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          error={errors.newPassword}
        />
        <TextField
          label="Repeat the new password"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          error={errors.confirmPassword}
        />
        <CheckboxField label="Sign out my other sessions" name="revokeOtherSessions" defaultChecked />
        <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Changing…">
          Change password
        </Button>
      </fetcher.Form>
    </Card>
  );
}
