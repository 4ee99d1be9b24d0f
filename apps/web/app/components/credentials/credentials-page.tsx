import type { TCredential } from "@opsc/contracts/targets/credentials";
import { useCallback, useState } from "react";
import { useProfile } from "../../lib/app-data.ts";
import { type CredentialRow, presentCredentials } from "../../lib/credentials.presenter.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import {
  CreateCredentialDialog,
  DeleteCredentialDialog,
  EditCredentialDialog,
} from "./credential-dialogs.tsx";

export function CredentialsPage({ credentials }: { credentials: TCredential[] }) {
  const { effectiveRole } = useProfile();
  const isAdmin = hasRole(effectiveRole, "admin");
  const rows = presentCredentials(credentials);
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<{ kind: "edit" | "delete"; row: CredentialRow } | null>(null);
  const close = useCallback(() => setDialog(null), []);
  const closeCreate = useCallback(() => setCreating(false), []);
  return (
    <>
      <PageHeader
        title="Credentials"
        description="Keys, passwords and tokens targets are reached with. Secrets are stored encrypted and never shown again: only a fingerprint identifies them."
        actions={isAdmin ? <Button onClick={() => setCreating(true)}>New credential</Button> : null}
      />
      {!isAdmin ? (
        <p className="mb-4 text-sm text-slate-500 dark:text-slate-400">
          You can attach these to targets; only administrators add, change or delete them.
        </p>
      ) : null}
      <CredentialsTable rows={rows} onAction={isAdmin ? (kind, row) => setDialog({ kind, row }) : null} />
      {isAdmin ? (
        <>
          <CreateCredentialDialog open={creating} onClose={closeCreate} />
          <EditCredentialDialog row={dialog?.kind === "edit" ? dialog.row : null} onClose={close} />
          <DeleteCredentialDialog row={dialog?.kind === "delete" ? dialog.row : null} onClose={close} />
        </>
      ) : null}
    </>
  );
}

function CredentialsTable({
  rows,
  onAction,
}: {
  rows: CredentialRow[];
  onAction: ((kind: "edit" | "delete", row: CredentialRow) => void) | null;
}) {
  if (rows.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-slate-300 px-6 py-10 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        No credentials yet.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400">
          <tr>
            {["Name", "Kind", "User / header", "Fingerprint", "Used by", "Updated"].map((heading) => (
              <th key={heading} scope="col" className="whitespace-nowrap px-4 py-3">
                {heading}
              </th>
            ))}
            {onAction ? (
              <th scope="col" className="px-4 py-3">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((row) => (
            <tr
              key={row.id}
              id={`credential-${row.id}`}
              data-credential-row={row.name}
              className="target:bg-indigo-50 dark:target:bg-indigo-500/10"
            >
              <td className="px-4 py-3">
                <div className="whitespace-nowrap font-medium text-slate-900 dark:text-white">{row.name}</div>
                {row.description ? (
                  <div className="text-xs text-slate-500 dark:text-slate-400">{row.description}</div>
                ) : null}
              </td>
              <td className="whitespace-nowrap px-4 py-3">
                <Badge tone={row.kind.startsWith("http") ? "neutral" : "indigo"}>{row.kindLabel}</Badge>
                {row.hasPassphrase ? <span className="ml-1 text-xs text-slate-500">+ passphrase</span> : null}
              </td>
              <td className="px-4 py-3 font-mono text-xs">{row.identity}</td>
              <td className="max-w-64 break-all px-4 py-3 font-mono text-xs text-slate-600 dark:text-slate-300">
                {row.fingerprint}
              </td>
              <td className="whitespace-nowrap px-4 py-3">
                {row.usedBy ? row.usage : <span className="text-slate-500">{row.usage}</span>}
              </td>
              <td className="whitespace-nowrap px-4 py-3 text-slate-500 dark:text-slate-400">
                {row.updated}
              </td>
              {onAction ? (
                <td className="px-4 py-3">
                  <div className="flex justify-end gap-1.5 whitespace-nowrap">
                    <Button variant="secondary" size="sm" onClick={() => onAction("edit", row)}>
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      size="sm"
                      className="text-red-600 dark:text-red-400"
                      onClick={() => onAction("delete", row)}
                    >
                      Delete
                    </Button>
                  </div>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
