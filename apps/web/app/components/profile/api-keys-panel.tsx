import type { TRole } from "@opsc/contracts";
import type { TApiKey } from "@opsc/contracts/users/me";
import { useEffect, useRef, useState } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import { type ApiKeyRow, presentApiKeys } from "../../lib/api-keys.presenter.ts";
import type { ProfileActionResult } from "../../lib/profile.client.ts";
import { ROLE_LABELS, rolesUpTo } from "../../lib/roles.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge, RoleBadge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { CheckboxField, inputClass, SelectField, TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

export function ApiKeysPanel({ apiKeys, role }: { apiKeys: TApiKey[]; role: TRole }) {
  const [revoking, setRevoking] = useState<ApiKeyRow | null>(null);
  const rows = presentApiKeys(apiKeys);
  return (
    <Card
      id="api-keys"
      title="API keys"
      description="For scripts and CI: send the key in the x-api-key header. A key never has more rights than you."
    >
      <div className="space-y-6">
        <CreateApiKeyForm role={role} />
        <ApiKeysTable rows={rows} onRevoke={setRevoking} />
      </div>
      <RevokeDialog row={revoking} onClose={() => setRevoking(null)} />
    </Card>
  );
}

function CreateApiKeyForm({ role }: { role: TRole }) {
  const fetcher = useFetcher<ProfileActionResult>({ key: "api-key-create" });
  const formRef = useRef<HTMLFormElement>(null);
  const [neverExpires, setNeverExpires] = useState(false);
  useResultToast(fetcher.data, { errors: "inline" });
  const errors = fieldErrorsOf(fetcher.data);
  const created = fetcher.data?.ok ? fetcher.data.data : undefined;

  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) formRef.current?.reset();
  }, [fetcher.state, fetcher.data]);

  return (
    <div className="space-y-4">
      {created?.key ? (
        <div
          className="space-y-2 rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-500/40 dark:bg-emerald-500/10"
          data-new-api-key
        >
          <p className="text-sm font-medium text-emerald-900 dark:text-emerald-100">
            Copy the key for “{created.apiKey?.name}” now. It is not shown again.
          </p>
          <div className="flex gap-2">
            <input
              id="new-api-key"
              readOnly
              value={created.key}
              className={`${inputClass} font-mono text-xs`}
              aria-label="New API key"
            />
            <CopyButton value={created.key} targetId="new-api-key" />
          </div>
          <Button variant="ghost" size="sm" onClick={() => fetcher.reset()}>
            I have stored it
          </Button>
        </div>
      ) : null}
      <fetcher.Form
        ref={formRef}
        method="post"
        className="grid gap-4 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-start"
        noValidate
      >
        <input type="hidden" name="intent" value="api-key-create" />
        <TextField
          label="Name"
          name="name"
          placeholder="e.g. ci-deploy"
          required
          maxLength={64}
          error={errors.name}
        />
        <div className="space-y-2">
          <TextField
            label="Expires after (days)"
            name="expiresInDays"
            type="number"
            min={1}
            max={3650}
            defaultValue={90}
            disabled={neverExpires}
            error={errors.expiresInDays}
          />
          <CheckboxField
            label="Never expires"
            name="neverExpires"
            checked={neverExpires}
            onChange={(event) => setNeverExpires(event.target.checked)}
          />
        </div>
        <SelectField
          label="Role"
          name="role"
          defaultValue={role}
          options={rolesUpTo(role).map((option) => ({ value: option, label: ROLE_LABELS[option] }))}
          error={errors.role}
        />
        <div className="sm:pt-7">
          <Button
            type="submit"
            isPending={fetcher.state !== "idle"}
            pendingLabel="Creating…"
            className="w-full"
          >
            Create key
          </Button>
        </div>
      </fetcher.Form>
      {fetcher.data && !fetcher.data.ok && !Object.keys(errors).length ? (
        <Alert tone="error">{fetcher.data.message}</Alert>
      ) : null}
    </div>
  );
}

function ApiKeysTable({ rows, onRevoke }: { rows: ApiKeyRow[]; onRevoke: (row: ApiKeyRow) => void }) {
  if (rows.length === 0) {
    return <p className="text-sm text-slate-500 dark:text-slate-400">You have no API keys yet.</p>;
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-950/50 dark:text-slate-400">
          <tr>
            {["Name", "Key", "Role", "Expires", "Last used", "Created"].map((heading) => (
              <th key={heading} scope="col" className="px-3 py-2.5">
                {heading}
              </th>
            ))}
            <th scope="col" className="px-3 py-2.5">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((row) => (
            <tr key={row.id} data-api-key-row={row.name}>
              <td className="px-3 py-2.5 font-medium">{row.name}</td>
              <td className="px-3 py-2.5 font-mono text-xs text-slate-500 dark:text-slate-400">
                {row.preview}
              </td>
              <td className="px-3 py-2.5">
                <RoleBadge role={row.role} />
              </td>
              <td className="whitespace-nowrap px-3 py-2.5">
                {row.isExpired ? <Badge tone="red">Expired {row.expires}</Badge> : row.expires}
              </td>
              <td className="whitespace-nowrap px-3 py-2.5 text-slate-500 dark:text-slate-400">
                {row.lastUsed}
              </td>
              <td className="whitespace-nowrap px-3 py-2.5 text-slate-500 dark:text-slate-400">
                {row.created}
              </td>
              <td className="px-3 py-2.5 text-right">
                <Button
                  variant="ghost"
                  size="sm"
                  className="text-red-600 dark:text-red-400"
                  onClick={() => onRevoke(row)}
                >
                  Revoke
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RevokeDialog({ row, onClose }: { row: ApiKeyRow | null; onClose: () => void }) {
  const fetcher = useFetcher<ProfileActionResult>({ key: "api-key-revoke" });
  useResultToast(fetcher.data, { errors: "inline" });
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) {
      fetcher.reset();
      onClose();
    }
  }, [fetcher, onClose]);
  return (
    <Dialog
      open={row !== null}
      onClose={onClose}
      title={`Revoke “${row?.name ?? ""}”?`}
      description="Anything still using this key stops working at once. This cannot be undone."
    >
      {row ? (
        <fetcher.Form method="post" className="space-y-4">
          <input type="hidden" name="intent" value="api-key-revoke" />
          <input type="hidden" name="id" value={row.id} />
          <input type="hidden" name="label" value={row.name} />
          {fetcher.data && !fetcher.data.ok ? <Alert tone="error">{fetcher.data.message}</Alert> : null}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose} autoFocus>
              Cancel
            </Button>
            <Button
              type="submit"
              variant="danger"
              isPending={fetcher.state !== "idle"}
              pendingLabel="Revoking…"
            >
              Revoke key
            </Button>
          </div>
        </fetcher.Form>
      ) : null}
    </Dialog>
  );
}
