import type { TUser } from "@opsc/contracts/users/accounts";
import { useFetcher } from "react-router";
import { formatDate } from "../../lib/format.ts";
import { ROLE_LABELS, ROLES } from "../../lib/roles.ts";
import type { UsersActionResult } from "../../lib/users.client.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { useResultToast } from "../ui/toast.tsx";
import type { UserDialogKind } from "./user-action-dialog.tsx";

interface UsersTableProps {
  users: TUser[];
  currentUserId: string;
  onAction: (kind: UserDialogKind, user: TUser) => void;
}

export function UsersTable({ users, currentUserId, onAction }: UsersTableProps) {
  if (users.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-slate-300 px-6 py-10 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        No users match these filters.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-4 py-3">
              User
            </th>
            <th scope="col" className="px-4 py-3">
              Role
            </th>
            <th scope="col" className="px-4 py-3">
              Status
            </th>
            <th scope="col" className="px-4 py-3">
              Created
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {users.map((user) => (
            <UserRow key={user.id} user={user} isSelf={user.id === currentUserId} onAction={onAction} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UserRow({
  user,
  isSelf,
  onAction,
}: {
  user: TUser;
  isSelf: boolean;
  onAction: UsersTableProps["onAction"];
}) {
  // Each row has its own fetcher, so changing one row's role does not disable the others.
  const fetcher = useFetcher<UsersActionResult>();
  useResultToast(fetcher.data);
  const isBusy = fetcher.state !== "idle";
  // Show the submitted role at once; the reload after the action confirms (or reverts) it.
  const role = (fetcher.formData?.get("role") as TUser["role"] | null) ?? user.role;
  return (
    <tr
      data-user-row={user.email}
      className={user.disabled ? "bg-slate-50/60 dark:bg-slate-950/40" : undefined}
    >
      <td className="px-4 py-3">
        <div className="font-medium text-slate-900 dark:text-white">
          {user.name} {isSelf ? <span className="text-xs font-normal text-slate-500">(you)</span> : null}
        </div>
        <div className="text-slate-500 dark:text-slate-400">{user.email}</div>
      </td>
      <td className="px-4 py-3">
        <label className="sr-only" htmlFor={`role-${user.id}`}>
          Role of {user.email}
        </label>
        <select
          id={`role-${user.id}`}
          value={role}
          // Changing your own role could lock you out of this page; another admin has to do it.
          disabled={isSelf || isBusy}
          title={isSelf ? "Another administrator must change your role" : undefined}
          onChange={(event) =>
            fetcher.submit(
              { intent: "update-role", id: user.id, role: event.target.value },
              { method: "post" },
            )
          }
          className="rounded-md border border-slate-300 bg-white py-1 pr-8 pl-2 text-sm focus:outline-none focus:ring-2 focus:ring-indigo-500 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900"
        >
          {ROLES.map((option) => (
            <option key={option} value={option}>
              {ROLE_LABELS[option]}
            </option>
          ))}
        </select>
      </td>
      <td className="px-4 py-3">
        <div className="flex flex-wrap gap-1.5">
          {user.disabled ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}
          {user.twoFactorEnabled ? <Badge tone="indigo">2FA</Badge> : null}
        </div>
        {user.disabled && user.disabledReason ? (
          <p className="mt-1 text-xs text-slate-500">{user.disabledReason}</p>
        ) : null}
      </td>
      <td className="whitespace-nowrap px-4 py-3 text-slate-500 dark:text-slate-400">
        {formatDate(user.createdAt)}
      </td>
      <td className="px-4 py-3">
        <div className="flex justify-end gap-1.5 whitespace-nowrap">
          {user.disabled ? (
            <Button
              variant="secondary"
              size="sm"
              isPending={isBusy}
              onClick={() => fetcher.submit({ intent: "enable", id: user.id }, { method: "post" })}
            >
              Enable
            </Button>
          ) : (
            <Button variant="secondary" size="sm" disabled={isSelf} onClick={() => onAction("disable", user)}>
              Disable
            </Button>
          )}
          <Button variant="secondary" size="sm" onClick={() => onAction("reset-password", user)}>
            Reset password
          </Button>
          <Button
            variant="ghost"
            size="sm"
            disabled={isSelf}
            onClick={() => onAction("delete", user)}
            className="text-red-600 dark:text-red-400"
          >
            Delete
          </Button>
        </div>
      </td>
    </tr>
  );
}
