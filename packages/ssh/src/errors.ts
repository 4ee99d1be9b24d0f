import type { HostKeyInfo } from "./fingerprint.ts";

/**
 * Closed set of SSH failure kinds:
 * - `dns`: the host name does not resolve (ENOTFOUND, EAI_AGAIN, or a reserved `.invalid` name).
 * - `refused`: nothing listens on the port (ECONNREFUSED).
 * - `timeout`: the TCP connect, the SSH handshake or authentication did not finish in time.
 * - `auth`: the server rejected every credential, or the private key is unusable (bad or missing
 *   passphrase, not a private key); the latter is detected locally before any connection is made.
 * - `host_key_mismatch`: the server presented a host key other than the expected one; the connection was
 *   refused before any credential was sent.
 * - `protocol`: anything else (connection reset, not an SSH server, no common algorithm, channel errors).
 */
export type SshErrorKind = "dns" | "refused" | "timeout" | "auth" | "host_key_mismatch" | "protocol";

/** Options for {@link SshError}. */
export interface SshErrorOptions {
  cause?: unknown;
  /** The host key the server presented, when the handshake got that far. */
  hostKey?: HostKeyInfo;
  /** For `host_key_mismatch`: the fingerprint the caller expected. */
  expectedFingerprint?: string;
}

/**
 * The only error `@opsc/ssh` throws for connection and command failures. Messages are meant for humans
 * and never contain a password, key or passphrase.
 */
export class SshError extends Error {
  override readonly name = "SshError";
  readonly kind: SshErrorKind;
  readonly hostKey?: HostKeyInfo;
  readonly expectedFingerprint?: string;

  constructor(kind: SshErrorKind, message: string, options: SshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.hostKey = options.hostKey;
    this.expectedFingerprint = options.expectedFingerprint;
  }

  /** For `host_key_mismatch`: the fingerprint the server presented. */
  get actualFingerprint(): string | undefined {
    return this.hostKey?.fingerprintSha256;
  }
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA", "ENODATA"]);
// SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE and SSH_DISCONNECT_ILLEGAL_USER_NAME (RFC 4253 11.1).
const AUTH_DISCONNECT_REASONS = new Set([14, 15]);

/** Where a failure happened; used to word the message. */
export interface FailureContext {
  host: string;
  port: number;
  username?: string;
  hostKey?: HostKeyInfo;
}

/**
 * Maps a Node socket error or an ssh2 error (which carries a `level` such as `client-authentication`)
 * to an {@link SshError}. An `SshError` passes through unchanged.
 */
export function toSshError(error: unknown, context: FailureContext): SshError {
  if (error instanceof SshError) return error;
  const { host, port, username, hostKey } = context;
  const where = `${host}:${port}`;
  const { code, level, message } = (error ?? {}) as { code?: unknown; level?: unknown; message?: unknown };
  const options = { cause: error, hostKey };
  if (typeof code === "string" && DNS_CODES.has(code))
    return new SshError("dns", `cannot resolve host name "${host}" (${code})`, options);
  if (code === "ECONNREFUSED")
    return new SshError("refused", `connection refused by ${where}: nothing listens on that port`, options);
  if (code === "ETIMEDOUT" || level === "client-timeout")
    return new SshError("timeout", `timed out waiting for the SSH handshake with ${where}`, options);
  if (level === "client-authentication" || (typeof code === "number" && AUTH_DISCONNECT_REASONS.has(code)))
    return new SshError(
      "auth",
      `authentication failed for user "${username ?? "?"}" on ${where}: the server rejected the credentials`,
      options,
    );
  const detail = typeof message === "string" && message ? message : String(error);
  return new SshError("protocol", `SSH connection to ${where} failed: ${detail}`, options);
}
