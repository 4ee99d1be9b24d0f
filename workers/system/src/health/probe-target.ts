import { type TCredentialSecret, ZCredentialSecret } from "@opsc/contracts/targets/credentials";
import type { THealthCheckTarget } from "@opsc/contracts/targets/health";
import { type ProbeResult, probeHttp, probeSsh } from "@opsc/probes";
import { open, type VaultKeys } from "@opsc/vault";

/** A credential that this worker cannot open: wrong VAULT_KEYS, or a corrupted secret. Carries no secret. */
export class CredentialUnavailableError extends Error {
  override readonly name = "CredentialUnavailableError";
}

/**
 * Opens a target's sealed credential. The owner id bound into the seal is the credential's id, so a sealed value
 * moved onto another credential does not open. Error messages never quote the plaintext (a JSON parse error
 * would), only what went wrong.
 */
export function openCredential(
  vault: VaultKeys,
  credential: NonNullable<THealthCheckTarget["credential"]>,
): TCredentialSecret {
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

/** Every secret string of a credential, to scrub from anything the probe libraries put in an error message. */
function secretValues(secret: TCredentialSecret | null): string[] {
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
  // Very short values would scrub ordinary words; secrets that short are refused at creation anyway.
  return values.filter((value): value is string => typeof value === "string" && value.length >= 4);
}

function scrub(result: ProbeResult, secrets: string[]): ProbeResult {
  if (!result.error || secrets.length === 0) return result;
  let message = result.error.message;
  for (const secret of secrets) message = message.split(secret).join("[redacted]");
  return { ...result, error: { ...result.error, message } };
}

/**
 * Probes one target the way its kind says: SSH key exchange against the pinned host key, then a login with the
 * credential (the banner only, without one); HTTP a GET of its URL with the credential's header.
 */
export async function probeTarget(
  target: THealthCheckTarget,
  options: { vault: VaultKeys; timeoutMs: number },
): Promise<ProbeResult> {
  const secret = target.credential ? openCredential(options.vault, target.credential) : null;
  const result =
    target.kind === "ssh"
      ? await probeSsh({
          host: target.address,
          port: target.port,
          credential: secret,
          expectedHostKey: target.expectedHostKey,
          timeoutMs: options.timeoutMs,
        })
      : await probeHttp({
          host: target.address,
          port: target.port,
          scheme: target.http?.scheme ?? "https",
          path: target.http?.path ?? "/",
          expectStatus: target.http?.expectStatus,
          insecureTls: target.http?.insecureTls ?? false,
          timeoutMs: options.timeoutMs,
          credential: secret,
        });
  return scrub(result, secretValues(secret));
}
