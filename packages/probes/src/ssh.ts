import { connect } from "node:net";
import type { TCredentialSecret } from "@opsc/contracts/targets/credentials";
import { type SshAuth, testSshConnection } from "@opsc/ssh";
import { elapsedSince, networkErrorKind, type ProbeResult } from "./result.ts";

export interface SshProbeOptions {
  host: string;
  port: number;
  /** A login credential (`ssh_key` or `ssh_password`); without one only the server's banner is checked. */
  credential: TCredentialSecret | null;
  /** The pinned host key; a different one refuses the connection before any credential is sent. */
  expectedHostKey: { algorithm: string; fingerprintSha256: string } | null;
  timeoutMs: number;
}

function authOf(credential: TCredentialSecret): { username: string; auth: SshAuth } | null {
  if (credential.kind === "ssh_key") {
    return {
      username: credential.username,
      auth: {
        type: "key",
        privateKey: credential.privateKey,
        ...(credential.passphrase ? { passphrase: credential.passphrase } : {}),
      },
    };
  }
  if (credential.kind === "ssh_password")
    return { username: credential.username, auth: { type: "password", password: credential.password } };
  return null;
}

/** SSH: key exchange (host key checked against the pin), authentication and `true`. */
export async function probeSsh(options: SshProbeOptions): Promise<ProbeResult> {
  const login = options.credential ? authOf(options.credential) : null;
  if (!login) return probeSshBanner(options);
  const result = await testSshConnection({
    host: options.host,
    port: options.port,
    username: login.username,
    auth: login.auth,
    hostKey: options.expectedHostKey
      ? { mode: "strict", expected: options.expectedHostKey }
      : { mode: "pin-on-first-use" },
    timeoutMs: options.timeoutMs,
    keepaliveIntervalMs: 0,
  });
  const hostKey = result.hostKey
    ? { algorithm: result.hostKey.algorithm, fingerprintSha256: result.hostKey.fingerprintSha256 }
    : null;
  return result.ok
    ? { ok: true, latencyMs: result.latencyMs, error: null, hostKey, detail: result.serverVersion }
    : { ok: false, latencyMs: result.latencyMs, error: result.error, hostKey, detail: null };
}

/**
 * Without a credential: connect and read the identification line (`SSH-2.0-…`). Proves an SSH server answers
 * without trying a login (which would only fill the server's log with failures).
 */
function probeSshBanner(options: SshProbeOptions): Promise<ProbeResult> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: options.host, port: options.port });
    let received = "";
    const finish = (result: Omit<ProbeResult, "latencyMs" | "hostKey">) => {
      socket.destroy();
      resolve({ ...result, latencyMs: elapsedSince(startedAt), hostKey: null });
    };
    socket.setTimeout(options.timeoutMs, () =>
      finish({
        ok: false,
        error: { kind: "timeout", message: `no SSH banner within ${options.timeoutMs} ms` },
        detail: null,
      }),
    );
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const line = received.split(/\r?\n/).find((candidate) => candidate.startsWith("SSH-"));
      if (line) finish({ ok: true, error: null, detail: line.replace(/^SSH-2\.0-/, "") });
      else if (received.length > 8192)
        finish({ ok: false, error: { kind: "protocol", message: "not an SSH server" }, detail: null });
    });
    socket.once("error", (error) =>
      finish({ ok: false, error: { kind: networkErrorKind(error), message: error.message }, detail: null }),
    );
    socket.once("end", () =>
      finish({
        ok: false,
        error: { kind: "protocol", message: "closed without an SSH banner" },
        detail: null,
      }),
    );
  });
}
