import { createHash } from "node:crypto";

/** A host key as a caller stores it to pin a host. */
export interface HostKeyFingerprint {
  /** Key type from the key blob: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... */
  algorithm: string;
  /** `SHA256:<base64 without padding>`, exactly as `ssh-keygen -l` and `ssh` print it. */
  fingerprintSha256: string;
}

/** A host key as the server presented it. */
export interface HostKeyInfo extends HostKeyFingerprint {
  /** The public key blob in base64, as in a known_hosts line. */
  publicKeyBase64: string;
}

/**
 * OpenSSH's SHA256 fingerprint of a public key blob (the wire format, i.e. the base64-decoded middle
 * field of a `.pub` or known_hosts line): `SHA256:` + unpadded base64 of the digest.
 */
export function fingerprintSha256(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(publicKeyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type a public key blob starts with (an SSH `string`: uint32 length, then the name). */
export function keyTypeOf(publicKeyBlob: Buffer): string {
  if (publicKeyBlob.length < 4) throw new Error("public key blob too short");
  const length = publicKeyBlob.readUInt32BE(0);
  if (length === 0 || length > 64 || publicKeyBlob.length < 4 + length)
    throw new Error("malformed public key blob");
  return publicKeyBlob.subarray(4, 4 + length).toString("latin1");
}

/** Algorithm, fingerprint and base64 of a host key blob received during key exchange. */
export function describeHostKey(publicKeyBlob: Buffer): HostKeyInfo {
  return {
    algorithm: keyTypeOf(publicKeyBlob),
    fingerprintSha256: fingerprintSha256(publicKeyBlob),
    publicKeyBase64: publicKeyBlob.toString("base64"),
  };
}
