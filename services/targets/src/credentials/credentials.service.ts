import { createHash } from "node:crypto";
import { type AuditActor, recordAudit } from "@opsc/audit";
import type {
  TCredential,
  TCredentialSecret,
  ZCreateCredentialRequestSchema,
  ZUpdateCredentialRequestSchema,
} from "@opsc/contracts/targets/credentials";
import { AppError, notFound } from "@opsc/server-kit";
import { open, seal, secretFingerprint, type VaultKeys } from "@opsc/vault";
import type { Kysely, Selectable } from "kysely";
import { utils as sshUtils } from "ssh2";
import type { z } from "zod";
import type { TargetsDatabase } from "../database.ts";
import { countByCredential } from "../targets/targets.repository.ts";
import * as repo from "./credentials.repository.ts";
import type { CredentialsTable } from "./credentials.table.ts";

export interface CredentialsDeps {
  db: Kysely<TargetsDatabase>;
  vault: VaultKeys;
}

type Row = Selectable<CredentialsTable>;

function toDto(row: Row, usedBy: number): TCredential {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    username: row.username,
    headerName: row.header_name,
    fingerprint: row.fingerprint,
    hasPassphrase: row.has_passphrase,
    description: row.description,
    usedBy,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * What identifies a secret without revealing it. An SSH key is known by its public key's SHA256 fingerprint,
 * exactly as `ssh-keygen -lf` prints it; anything else by a salted hash (the credential id is the salt).
 */
function fingerprintOf(id: string, secret: TCredentialSecret): string {
  if (secret.kind === "ssh_key") {
    const parsed = sshUtils.parseKey(secret.privateKey, secret.passphrase);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || key instanceof Error) {
      throw new AppError("BAD_REQUEST", {
        field: "secret.privateKey",
        message: secret.passphrase
          ? "Not a private key, or the passphrase is wrong"
          : "Not a private key (or it needs a passphrase)",
      });
    }
    if (!key.isPrivateKey())
      throw new AppError("BAD_REQUEST", {
        field: "secret.privateKey",
        message: "This is a public key; the private key is needed",
      });
    return `SHA256:${createHash("sha256").update(key.getPublicSSH()).digest("base64").replace(/=+$/, "")}`;
  }
  const value =
    secret.kind === "http_bearer"
      ? secret.token
      : secret.kind === "http_header"
        ? secret.value
        : secret.password;
  return secretFingerprint(value, id);
}

function metadataOf(secret: TCredentialSecret) {
  return {
    username: "username" in secret ? secret.username : null,
    header_name: secret.kind === "http_header" ? secret.headerName : null,
    has_passphrase: secret.kind === "ssh_key" && Boolean(secret.passphrase),
  };
}

function conflictOnName(error: unknown): never {
  if ((error as { constraint?: string }).constraint === "credentials_name_key") {
    throw new AppError("CONFLICT", { field: "name", message: "A credential with this name already exists" });
  }
  throw error;
}

export async function listCredentials(deps: CredentialsDeps) {
  const rows = await repo.list(deps.db);
  const usage = await countByCredential(
    deps.db,
    rows.map((row) => row.id),
  );
  return { items: rows.map((row) => toDto(row, usage.get(row.id) ?? 0)) };
}

export async function getCredential(deps: CredentialsDeps, id: string) {
  const row = await repo.findById(deps.db, id);
  if (!row) throw notFound("Credential");
  return toDto(row, (await countByCredential(deps.db, [id])).get(id) ?? 0);
}

export async function createCredential(
  deps: CredentialsDeps,
  actor: AuditActor,
  input: z.output<typeof ZCreateCredentialRequestSchema>,
) {
  const id = crypto.randomUUID();
  const fingerprint = fingerprintOf(id, input.secret);
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo
      .insert(trx, {
        id,
        name: input.name,
        kind: input.secret.kind,
        description: input.description,
        ...metadataOf(input.secret),
        secret_sealed: seal(deps.vault, JSON.stringify(input.secret), id),
        fingerprint,
        created_by: actor.actorId,
      })
      .catch(conflictOnName);
    const credential = toDto(row, 0);
    await recordAudit(trx, actor, {
      action: "credential.created",
      resourceType: "credential",
      resourceId: id,
      after: credential,
    });
    return credential;
  });
}

export async function updateCredential(
  deps: CredentialsDeps,
  actor: AuditActor,
  input: z.output<typeof ZUpdateCredentialRequestSchema>,
) {
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Credential");
    const { secret } = input.data;
    if (secret && secret.kind !== before.kind) {
      throw new AppError("BAD_REQUEST", {
        field: "data.secret.kind",
        message: `This credential holds a ${before.kind}; create a new one for a ${secret.kind}`,
      });
    }
    const row = await repo
      .update(trx, input.id, {
        ...(input.data.name !== undefined ? { name: input.data.name } : {}),
        ...(input.data.description !== undefined ? { description: input.data.description } : {}),
        ...(secret
          ? {
              ...metadataOf(secret),
              secret_sealed: seal(deps.vault, JSON.stringify(secret), input.id),
              fingerprint: fingerprintOf(input.id, secret),
            }
          : {}),
      })
      .catch(conflictOnName);
    const usedBy = (await countByCredential(trx, [input.id])).get(input.id) ?? 0;
    const after = toDto(row, usedBy);
    await recordAudit(trx, actor, {
      action: secret ? "credential.secret_replaced" : "credential.updated",
      resourceType: "credential",
      resourceId: input.id,
      before: toDto(before, usedBy),
      after,
    });
    return after;
  });
}

export async function deleteCredential(deps: CredentialsDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Credential");
    const usedBy = (await countByCredential(trx, [id])).get(id) ?? 0;
    if (usedBy > 0)
      throw new AppError("CONFLICT", { message: `In use by ${usedBy} target(s); detach it first` });
    await repo.remove(trx, id);
    await recordAudit(trx, actor, {
      action: "credential.deleted",
      resourceType: "credential",
      resourceId: id,
      before: toDto(before, 0),
    });
  });
  return { success: true as const };
}

/** The secret itself, for a connection made by this service (never for a response). */
export function openSecret(
  deps: Pick<CredentialsDeps, "vault">,
  row: Pick<Row, "id" | "secret_sealed">,
): TCredentialSecret {
  return JSON.parse(open(deps.vault, row.secret_sealed, row.id)) as TCredentialSecret;
}
