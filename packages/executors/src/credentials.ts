import { type TCredentialSecret, ZCredentialSecret } from "@opsc/contracts/targets/credentials";
import { open, type VaultKeys } from "@opsc/vault";

/** A credential that this worker cannot open: wrong VAULT_KEYS, or a corrupted secret. Carries no secret. */
export class CredentialUnavailableError extends Error {
  override readonly name = "CredentialUnavailableError";
}

/** A credential as task messages and health-check targets carry it: the secret still sealed. */
export interface SealedCredential {
  id: string;
  sealed: string;
}

/**
 * Opens a target's sealed credential. The owner id bound into the seal is the credential's id, so a sealed value
 * moved onto another credential does not open. Error messages never quote the plaintext (a JSON parse error
 * would), only what went wrong.
 * @throws {CredentialUnavailableError}
 */
export function openCredential(vault: VaultKeys, credential: SealedCredential): TCredentialSecret {
  let plaintext: string;
  try {
    plaintext = open(vault, credential.sealed, credential.id);
  } catch (error) {
    // VaultError messages name the key id at most.
    throw new CredentialUnavailableError(`credential ${credential.id}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(plaintext);
  } catch {
    throw new CredentialUnavailableError(`credential ${credential.id}: the secret is not valid JSON`);
  }
  const parsed = ZCredentialSecret.safeParse(value);
  if (!parsed.success) {
    throw new CredentialUnavailableError(`credential ${credential.id}: the secret does not match its kind`);
  }
  return parsed.data;
}

/**
 * Every secret string of a credential, to scrub from error messages and output. Values shorter than 4
 * characters are left out: they would scrub ordinary words, and secrets that short are refused at creation.
 */
export function secretValues(secret: TCredentialSecret | null): string[] {
  if (!secret) return [];
  const values: (string | undefined)[] = [];
  switch (secret.kind) {
    case "ssh_key":
      values.push(secret.privateKey, secret.passphrase);
      break;
    case "ssh_password":
    case "sudo_password":
    case "http_basic":
      values.push(secret.password);
      break;
    case "http_bearer":
      values.push(secret.token);
      break;
    case "http_header":
      values.push(secret.value);
      break;
  }
  return values.filter((value): value is string => typeof value === "string" && value.length >= 4);
}
