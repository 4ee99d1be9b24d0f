import type { TCredential } from "@opsc/contracts/targets/credentials";
import type { TTarget } from "@opsc/contracts/targets/targets";
import { useState } from "react";
import { credentialOptions } from "../../lib/credentials.presenter.ts";
import {
  defaultPort,
  TARGET_KIND_LABELS,
  TARGET_KINDS,
  type TagRow,
  type TargetKind,
  tagRowsOf,
} from "../../lib/targets.presenter.ts";
import { CheckboxField, SelectField, TextField } from "../ui/field.tsx";
import { KeyValueEditor } from "../ui/key-value-editor.tsx";
import { SegmentedField } from "../ui/segmented-field.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";

/** The inputs the form shows, by the name the API reports errors under; anything else goes in the alert. */
export const TARGET_FIELD_NAMES = [
  "name",
  "address",
  "port",
  "kind",
  "tags",
  "description",
  "credentialId",
  "sudoCredentialId",
  "http.scheme",
  "http.path",
  "http.expectStatus",
  "http.insecureTls",
  "healthIntervalSeconds",
] as const;

/**
 * Every field of a target, for "New target" and the edit form on the detail page. The kind switch shows SSH's
 * credential slots or HTTP's scheme, path, expected status and TLS choice; the credential pickers offer only
 * the kinds that fit each slot.
 */
export function TargetFields({
  target,
  credentials,
  errors,
}: {
  target?: TTarget;
  credentials: TCredential[];
  errors: Record<string, string>;
}) {
  const [kind, setKind] = useState<TargetKind>(target?.kind ?? "ssh");
  const [scheme, setScheme] = useState<"http" | "https">(target?.http?.scheme ?? "https");
  return (
    <div className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Name"
          name="name"
          defaultValue={target?.name}
          autoComplete="off"
          required
          error={errors.name}
          hint="Letters, digits, '.', '_' and '-'."
        />
        <KindSwitch kind={kind} onChange={setKind} error={errors.kind} />
      </div>
      <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
        <TextField
          label="Address"
          name="address"
          defaultValue={target?.address}
          placeholder="host.example.com or 10.0.0.5"
          autoComplete="off"
          required
          error={errors.address}
        />
        <TextField
          label="Port"
          name="port"
          inputMode="numeric"
          defaultValue={target?.port}
          placeholder={String(defaultPort(kind, scheme))}
          error={errors.port}
        />
      </div>
      {kind === "ssh" ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            // Remounted per kind, so a credential of the other kind is never left selected.
            key="ssh-login"
            label="Login credential"
            name="credentialId"
            defaultValue={target?.kind === "ssh" ? (target.credentialId ?? "") : ""}
            options={credentialOptions(credentials, "ssh", "credentialId")}
            error={errors.credentialId}
            hint="An SSH key or password."
          />
          <SelectField
            label="sudo credential"
            name="sudoCredentialId"
            defaultValue={target?.sudoCredentialId ?? ""}
            options={credentialOptions(credentials, "ssh", "sudoCredentialId")}
            error={errors.sudoCredentialId}
            hint="Optional: for commands run with sudo."
          />
        </div>
      ) : (
        <div className="space-y-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
          <div className="grid gap-4 sm:grid-cols-[8rem_1fr_9rem]">
            <SelectField
              label="Scheme"
              name="http.scheme"
              value={scheme}
              onChange={(event) => setScheme(event.target.value === "http" ? "http" : "https")}
              options={[
                { value: "https", label: "https" },
                { value: "http", label: "http" },
              ]}
              error={errors["http.scheme"]}
            />
            <TextField
              label="Path"
              name="http.path"
              defaultValue={target?.http?.path ?? "/"}
              placeholder="/health"
              error={errors["http.path"]}
            />
            <TextField
              label="Expected status"
              name="http.expectStatus"
              inputMode="numeric"
              defaultValue={target?.http?.expectStatus}
              placeholder="any 2xx/3xx"
              error={errors["http.expectStatus"]}
            />
          </div>
          <CheckboxField
            label="Accept an untrusted TLS certificate (self-signed, internal CA)"
            name="http.insecureTls"
            defaultChecked={target?.http?.insecureTls ?? false}
          />
          <SelectField
            key="http-credential"
            label="Credential"
            name="credentialId"
            defaultValue={target?.kind === "http" ? (target.credentialId ?? "") : ""}
            options={credentialOptions(credentials, "http", "credentialId")}
            error={errors.credentialId}
            hint="A bearer token, basic auth or a header, sent with each request."
          />
        </div>
      )}
      <TagsEditor initial={tagRowsOf(target?.tags ?? {})} error={errors.tags} />
      <TextareaField
        label="Description"
        name="description"
        rows={2}
        defaultValue={target?.description}
        error={errors.description}
      />
      <div className="grid gap-4 sm:grid-cols-[1fr_12rem] sm:items-start">
        <div className="space-y-2 pt-1">
          <CheckboxField
            label="Enabled (checked and used by jobs)"
            name="enabled"
            defaultChecked={target?.enabled ?? true}
          />
          <CheckboxField
            label="In maintenance (not checked, alerts muted)"
            name="maintenance"
            defaultChecked={target?.maintenance ?? false}
          />
        </div>
        <TextField
          label="Health check every (s)"
          name="healthIntervalSeconds"
          inputMode="numeric"
          defaultValue={target?.healthIntervalSeconds ?? undefined}
          placeholder="default"
          error={errors.healthIntervalSeconds}
        />
      </div>
    </div>
  );
}

const KIND_OPTIONS = TARGET_KINDS.map((kind) => ({ value: kind, label: TARGET_KIND_LABELS[kind] }));

function KindSwitch({
  kind,
  onChange,
  error,
}: {
  kind: TargetKind;
  onChange: (kind: TargetKind) => void;
  error?: string | undefined;
}) {
  return (
    <SegmentedField
      label="Kind"
      name="kind"
      value={kind}
      options={KIND_OPTIONS}
      onChange={onChange}
      error={error}
    />
  );
}

/** Tags as key = value rows; posted as parallel `tagKey` / `tagValue` fields. */
function TagsEditor({ initial, error }: { initial: TagRow[]; error?: string | undefined }) {
  return (
    <KeyValueEditor
      legend="Tags"
      noun="Tag"
      names={{ key: "tagKey", value: "tagValue" }}
      placeholders={{ key: "key (e.g. env)", value: "value (e.g. prod)" }}
      initial={initial}
      error={error}
    />
  );
}
