import type { TCredential, TCredentialKind } from "@opsc/contracts/targets/credentials";
import { formatDate } from "./format.ts";
import type { TargetKind } from "./targets.presenter.ts";

// The kinds are repeated from the contract (types still come from it) so zod stays out of the browser bundle.
export const CREDENTIAL_KINDS = [
  "ssh_key",
  "ssh_password",
  "sudo_password",
  "http_bearer",
  "http_basic",
  "http_header",
] as const satisfies readonly TCredentialKind[];

export const CREDENTIAL_KIND_LABELS: Record<TCredentialKind, string> = {
  ssh_key: "SSH key",
  ssh_password: "SSH password",
  sudo_password: "sudo password",
  http_bearer: "HTTP bearer token",
  http_basic: "HTTP basic auth",
  http_header: "HTTP header",
};

export function isCredentialKind(value: string): value is TCredentialKind {
  return (CREDENTIAL_KINDS as readonly string[]).includes(value);
}

/** One input of a credential's secret; `name` is the API's path (`secret.password`), so its errors land there. */
export interface SecretField {
  name: `secret.${string}`;
  label: string;
  /** `secret`: a password input; `key`: a monospace textarea; `text`: plain (a user or header name). */
  type: "text" | "secret" | "key";
  optional?: boolean;
  hint?: string;
  placeholder?: string;
}

const USERNAME: SecretField = { name: "secret.username", label: "User name", type: "text" };

/** The inputs each kind of secret needs; the same list serves "create" and "replace secret". */
export const SECRET_FIELDS: Record<TCredentialKind, SecretField[]> = {
  ssh_key: [
    USERNAME,
    {
      name: "secret.privateKey",
      label: "Private key",
      type: "key",
      hint: "PEM or OpenSSH format. Only its fingerprint is shown afterwards.",
      placeholder: "-----BEGIN OPENSSH PRIVATE KEY-----",
    },
    { name: "secret.passphrase", label: "Passphrase", type: "secret", optional: true },
  ],
  ssh_password: [USERNAME, { name: "secret.password", label: "Password", type: "secret" }],
  sudo_password: [
    {
      name: "secret.password",
      label: "sudo password",
      type: "secret",
      hint: "Used with the login credential's user for commands run with sudo.",
    },
  ],
  http_bearer: [
    { name: "secret.token", label: "Token", type: "secret", hint: "Sent as Authorization: Bearer <token>." },
  ],
  http_basic: [USERNAME, { name: "secret.password", label: "Password", type: "secret" }],
  http_header: [
    { name: "secret.headerName", label: "Header name", type: "text", placeholder: "X-Api-Key" },
    { name: "secret.value", label: "Header value", type: "secret" },
  ],
};

/** Which credential kinds fit which slot of a target (the API checks the same rule). */
export const CREDENTIAL_SLOTS: Record<
  TargetKind,
  { credentialId: readonly TCredentialKind[]; sudoCredentialId: readonly TCredentialKind[] }
> = {
  ssh: { credentialId: ["ssh_key", "ssh_password"], sudoCredentialId: ["sudo_password"] },
  http: { credentialId: ["http_bearer", "http_basic", "http_header"], sudoCredentialId: [] },
};

export interface CredentialOption {
  value: string;
  label: string;
}

/** The choices for one slot: "None" and the credentials of a fitting kind, by name. */
export function credentialOptions(
  credentials: TCredential[],
  targetKind: TargetKind,
  slot: "credentialId" | "sudoCredentialId",
): CredentialOption[] {
  const kinds = CREDENTIAL_SLOTS[targetKind][slot];
  return [
    { value: "", label: "None" },
    ...credentials
      .filter((credential) => kinds.includes(credential.kind))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((credential) => ({
        value: credential.id,
        label: `${credential.name} (${CREDENTIAL_KIND_LABELS[credential.kind]}${
          credential.username ? `, ${credential.username}` : ""
        })`,
      })),
  ];
}

export interface CredentialRow {
  id: string;
  name: string;
  kind: TCredentialKind;
  kindLabel: string;
  /** The user name or header name the secret goes with; "—" for a bare token or sudo password. */
  identity: string;
  fingerprint: string;
  hasPassphrase: boolean;
  description: string;
  usedBy: number;
  usage: string;
  updated: string;
}

export function presentCredential(credential: TCredential): CredentialRow {
  return {
    id: credential.id,
    name: credential.name,
    kind: credential.kind,
    kindLabel: CREDENTIAL_KIND_LABELS[credential.kind],
    identity: credential.username ?? (credential.headerName ? `${credential.headerName}:` : "—"),
    fingerprint: credential.fingerprint,
    hasPassphrase: credential.hasPassphrase,
    description: credential.description,
    usedBy: credential.usedBy,
    usage:
      credential.usedBy === 0
        ? "Not used"
        : `${credential.usedBy} target${credential.usedBy === 1 ? "" : "s"}`,
    updated: formatDate(credential.updatedAt),
  };
}

export function presentCredentials(credentials: TCredential[]): CredentialRow[] {
  return [...credentials].sort((a, b) => a.name.localeCompare(b.name)).map(presentCredential);
}
