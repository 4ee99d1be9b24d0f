import type { TCredentialKind } from "@opsc/contracts/targets/credentials";
import { useEffect, useState } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { CredentialsActionResult } from "../../lib/credentials.client.ts";
import {
  CREDENTIAL_KIND_LABELS,
  CREDENTIAL_KINDS,
  type CredentialRow,
  SECRET_FIELDS,
} from "../../lib/credentials.presenter.ts";
import { unplacedErrors } from "../../lib/targets.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { ConfirmDeleteForm } from "../ui/confirm-delete-form.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { CheckboxField, SelectField, TextField } from "../ui/field.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { useCloseOnSuccess } from "../ui/use-close-on-success.ts";
import { SecretFields } from "./secret-fields.tsx";

const KIND_OPTIONS = CREDENTIAL_KINDS.map((kind) => ({ value: kind, label: CREDENTIAL_KIND_LABELS[kind] }));

function FormAlert({ result, placed }: { result: CredentialsActionResult | undefined; placed: string[] }) {
  if (!result || result.ok) return null;
  const unplaced = unplacedErrors(result.fieldErrors, placed);
  if (Object.keys(result.fieldErrors).length && !unplaced.length) return null;
  return <Alert tone="error">{unplaced.length ? unplaced.join(" ") : result.message}</Alert>;
}

export function CreateCredentialDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const fetcher = useFetcher<CredentialsActionResult>({ key: "create-credential" });
  const [kind, setKind] = useState<TCredentialKind>("ssh_key");
  const result = fetcher.data?.intent === "create" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  useCloseOnSuccess(fetcher, result, onClose);
  const errors = fieldErrorsOf(result);
  const placed = ["name", "kind", "description", ...SECRET_FIELDS[kind].map((field) => field.name)];
  return (
    <Dialog
      size="wide"
      open={open}
      onClose={onClose}
      title="New credential"
      description="The secret is encrypted at rest and never shown again; afterwards only its fingerprint identifies it."
    >
      <fetcher.Form method="post" className="space-y-4" noValidate autoComplete="off">
        <input type="hidden" name="intent" value="create" />
        <FormAlert result={result} placed={placed} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Name" name="name" autoComplete="off" required error={errors.name} />
          <SelectField
            label="Kind"
            name="kind"
            value={kind}
            onChange={(event) =>
              setKind(CREDENTIAL_KINDS.find((candidate) => candidate === event.target.value) ?? "ssh_key")
            }
            options={KIND_OPTIONS}
            error={errors.kind}
          />
        </div>
        <SecretFields key={kind} kind={kind} errors={errors} />
        <TextareaField label="Description" name="description" rows={2} error={errors.description} />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Storing…">
            Store credential
          </Button>
        </div>
      </fetcher.Form>
    </Dialog>
  );
}

/** Rename, describe, and optionally replace the secret with a new one of the same kind. */
export function EditCredentialDialog({ row, onClose }: { row: CredentialRow | null; onClose: () => void }) {
  const fetcher = useFetcher<CredentialsActionResult>({ key: "edit-credential" });
  const [replace, setReplace] = useState(false);
  const result = fetcher.data?.intent === "update" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  useCloseOnSuccess(fetcher, result, onClose);
  const errors = fieldErrorsOf(result);
  // A new row opens with the secret untouched.
  const rowId = row?.id;
  useEffect(() => {
    if (rowId) setReplace(false);
  }, [rowId]);
  const close = () => {
    fetcher.reset();
    onClose();
  };
  const placed = row
    ? ["name", "description", ...(replace ? SECRET_FIELDS[row.kind].map((field) => field.name) : [])]
    : [];
  return (
    <Dialog size="wide" open={row !== null} onClose={close} title={row ? `Edit ${row.name}` : ""}>
      {row ? (
        <fetcher.Form method="post" className="space-y-4" noValidate autoComplete="off">
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="id" value={row.id} />
          <input type="hidden" name="kind" value={row.kind} />
          <FormAlert result={result} placed={placed} />
          <TextField label="Name" name="name" defaultValue={row.name} required error={errors.name} />
          <TextareaField
            label="Description"
            name="description"
            rows={2}
            defaultValue={row.description}
            error={errors.description}
          />
          <div className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
              {row.kindLabel}
              {row.identity !== "—" ? (
                <>
                  {" "}
                  for <span className="font-mono">{row.identity}</span>
                </>
              ) : null}
              , fingerprint <span className="break-all font-mono text-xs">{row.fingerprint}</span>. The stored
              secret cannot be shown.
            </p>
            <CheckboxField
              label="Replace secret"
              name="replaceSecret"
              checked={replace}
              onChange={(event) => setReplace(event.target.checked)}
            />
            {replace ? (
              <div className="mt-4">
                <SecretFields kind={row.kind} errors={errors} />
              </div>
            ) : null}
          </div>
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Saving…">
              {replace ? "Save and replace secret" : "Save"}
            </Button>
          </div>
        </fetcher.Form>
      ) : null}
    </Dialog>
  );
}

/** Deleting a credential in use is refused by the API; its message ("In use by 2 target(s)…") is shown. */
export function DeleteCredentialDialog({ row, onClose }: { row: CredentialRow | null; onClose: () => void }) {
  const fetcher = useFetcher<CredentialsActionResult>({ key: "delete-credential" });
  const result = fetcher.data?.intent === "delete" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  useCloseOnSuccess(fetcher, result, onClose);
  const close = () => {
    fetcher.reset();
    onClose();
  };
  return (
    <Dialog
      open={row !== null}
      onClose={close}
      title={row ? `Delete ${row.name}?` : ""}
      description={
        row?.usedBy
          ? `${row.usage} use it: detach it from them first.`
          : "The secret is destroyed. Targets cannot use it any more."
      }
    >
      {row ? (
        <ConfirmDeleteForm
          fetcher={fetcher}
          intent="delete"
          id={row.id}
          label={row.name}
          result={result}
          onCancel={close}
          submitLabel="Delete credential"
        />
      ) : null}
    </Dialog>
  );
}
