import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secrets at rest: AES-256-GCM under master keys from the environment.
 *
 * `VAULT_KEYS` lists keys as `id:base64key` separated by commas, newest first, e.g. `k2:…,k1:…`. New secrets are
 * sealed with the first key; any listed key can open. Rotation: put a new key first, run `bun run vault:rotate`
 * (re-seals every secret with it), then drop the old key. A sealed value is self-describing:
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url), and binds its owner's id as additional authenticated data so
 * that a ciphertext copied onto another row does not open.
 */
export interface VaultKeys {
  currentId: string;
  keys: Map<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * `VAULT_KEYS` from a process's environment, parsed at boot: a bad value stops the process with a message that names
 * the variable and the bad entry, never the key material.
 */
export function vaultKeysFromEnv(value: string): VaultKeys {
  try {
    return parseVaultKeys(value);
  } catch (error) {
    throw new Error(`Invalid configuration:\n  VAULT_KEYS: ${(error as Error).message}`);
  }
}

export function parseVaultKeys(value: string): VaultKeys {
  const keys = new Map<string, Buffer>();
  let currentId = "";
  for (const entry of value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(":");
    const id = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), "base64");
    if (separator < 1 || !KEY_ID.test(id))
      throw new Error("VAULT_KEYS: each entry is id:base64key (id: letters, digits, - or _)");
    if (key.length !== 32)
      throw new Error(`VAULT_KEYS: key ${id} must be 32 bytes (base64 of 32 random bytes)`);
    if (keys.has(id)) throw new Error(`VAULT_KEYS: key id ${id} appears twice`);
    keys.set(id, key);
    currentId ||= id;
  }
  if (!currentId) throw new Error("VAULT_KEYS is empty");
  return { currentId, keys };
}

/** A new key entry for VAULT_KEYS. */
export function generateVaultKey(id: string): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

const b64 = (buffer: Buffer) => buffer.toString("base64url");

export function seal(keys: VaultKeys, plaintext: string, owner: string): string {
  const key = keys.keys.get(keys.currentId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(owner));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", keys.currentId, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join(".");
}

export class VaultError extends Error {
  override readonly name = "VaultError";
}

export function sealedKeyId(sealed: string): string {
  return sealed.split(".")[1] ?? "";
}

export function open(keys: VaultKeys, sealed: string, owner: string): string {
  const [version, keyId, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !keyId || !iv || !tag || ciphertext === undefined)
    throw new VaultError("not a sealed value");
  const key = keys.keys.get(keyId);
  if (!key) throw new VaultError(`the key ${keyId} that sealed this secret is not in VAULT_KEYS`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new VaultError("the secret does not open with its key (tampered, or sealed for another owner)");
  }
}

/** Re-seals with the current key when another key sealed it; returns null when nothing needs to change. */
export function reseal(keys: VaultKeys, sealed: string, owner: string): string | null {
  if (sealedKeyId(sealed) === keys.currentId) return null;
  return seal(keys, open(keys, sealed, owner), owner);
}

/**
 * A fingerprint that identifies a secret without revealing it: SHA-256 over a per-deployment salt (so equal
 * passwords on two installations do not match) and the value, shortened.
 */
export function secretFingerprint(value: string, salt: string): string {
  return `sha256:${createHash("sha256").update(salt).update("\0").update(value).digest("base64url").slice(0, 22)}`;
}
