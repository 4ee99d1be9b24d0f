import type { TRole } from "@opsc/contracts";
import type { TUser } from "@opsc/contracts/users/accounts";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { ProfileActionResult } from "../../lib/profile.client.ts";
import { RoleBadge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

export function AccountForm({ user, role }: { user: TUser; role: TRole }) {
  const fetcher = useFetcher<ProfileActionResult>({ key: "update-name" });
  useResultToast(fetcher.data, { errors: "inline" });
  const errors = fieldErrorsOf(fetcher.data);
  return (
    <Card id="account" title="Account" description="Your e-mail and role are managed by an administrator.">
      <dl className="mb-4 grid grid-cols-[auto_1fr] items-center gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-500 dark:text-slate-400">E-mail</dt>
        <dd className="font-medium">{user.email}</dd>
        <dt className="text-slate-500 dark:text-slate-400">Role</dt>
        <dd>
          <RoleBadge role={role} />
        </dd>
      </dl>
      <fetcher.Form method="post" className="space-y-4" noValidate>
        <input type="hidden" name="intent" value="update-name" />
        <TextField
          label="Name"
          name="name"
          defaultValue={user.name}
          autoComplete="name"
          required
          maxLength={100}
          error={errors.name}
        />
        <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Saving…">
          Save name
        </Button>
      </fetcher.Form>
    </Card>
  );
}
