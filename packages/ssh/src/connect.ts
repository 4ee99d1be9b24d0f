import { lookup } from "node:dns/promises";
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import type { Algorithms, PasswordAuthMethod, PublicKeyAuthMethod, ServerHostKeyAlgorithm } from "ssh2";
import { Client, utils } from "ssh2";
import type { FailureContext } from "./errors.ts";
import { SshError, toSshError } from "./errors.ts";
import type { HostKeyFingerprint, HostKeyInfo } from "./fingerprint.ts";
import { describeHostKey } from "./fingerprint.ts";

/** How to authenticate. Only one method is tried, so a rejected key is not followed by a password. */
export type SshAuth =
  | { type: "key"; privateKey: string | Buffer; passphrase?: string }
  | { type: "password"; password: string };

/**
 * Host key policy.
 * - `pin-on-first-use` without `expected`: accept whatever key the server presents and return it, so the
 *   caller can store it. With `expected`: like `strict`.
 * - `strict`: the server must present exactly `expected` (same algorithm and fingerprint).
 * A mismatch always refuses the connection during key exchange, before any credential is sent.
 */
export type HostKeyPolicy =
  | { mode: "pin-on-first-use"; expected?: HostKeyFingerprint }
  | { mode: "strict"; expected: HostKeyFingerprint };

/** Options for {@link connectSsh}. */
export interface ConnectSshOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  auth: SshAuth;
  hostKey: HostKeyPolicy;
  /** Deadline for name resolution plus the TCP connect. */
  timeoutMs: number;
  /** Deadline for the SSH handshake plus authentication, counted from the TCP connect; default `timeoutMs`. */
  readyTimeoutMs?: number;
  /** SSH keepalive interval for long-lived connections; default 15 s, 0 disables. */
  keepaliveIntervalMs?: number;
}

/** An authenticated SSH connection returned by {@link connectSsh}. */
export interface SshConnection {
  /** The underlying ssh2 client, for channels this package does not wrap. */
  client: Client;
  host: string;
  port: number;
  username: string;
  /** The verified host key (its signature over the key exchange was checked). */
  hostKey: HostKeyInfo;
  /** The server's identification without the `SSH-2.0-` prefix, e.g. `OpenSSH_9.2p1 Debian-2+deb12u3`. */
  serverVersion: string;
  /** True once the connection has closed, for whatever reason. */
  isClosed(): boolean;
  /** Ends the connection and resolves once the socket is closed. Safe to call twice. */
  close(): Promise<void>;
}

// Explicit lists: modern algorithms only, and nothing Bun's BoringSSL lacks (chacha20-poly1305 would make
// ssh2 throw at connect). curve25519 first: the DH groups work but take ~10x longer in pure JS.
const KEX: NonNullable<Algorithms["kex"]> = [
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group14-sha256",
];
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];
const CIPHERS: NonNullable<Algorithms["cipher"]> = [
  "aes128-gcm@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-ctr",
  "aes192-ctr",
  "aes256-ctr",
];
const MACS: NonNullable<Algorithms["hmac"]> = [
  "hmac-sha2-256-etm@openssh.com",
  "hmac-sha2-512-etm@openssh.com",
  "hmac-sha2-256",
  "hmac-sha2-512",
];

/**
 * Host key algorithms with the pinned key's type first. Like OpenSSH with a known_hosts entry, this makes
 * a server with several host keys present the pinned one instead of failing the comparison.
 */
function hostKeyAlgorithms(expected: HostKeyFingerprint | undefined): ServerHostKeyAlgorithm[] {
  if (!expected) return HOST_KEY_ALGORITHMS;
  const preferred = HOST_KEY_ALGORITHMS.filter((name) =>
    expected.algorithm === "ssh-rsa" ? name.startsWith("rsa-sha2-") : name === expected.algorithm,
  );
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((name) => !preferred.includes(name))];
}

/** Parses the key locally so a bad passphrase fails fast, without a connection and with a clear message. */
function buildAuthMethod(auth: SshAuth, username: string): PasswordAuthMethod | PublicKeyAuthMethod {
  if (auth.type === "password") return { type: "password", username, password: auth.password };
  const parsed = utils.parseKey(auth.privateKey, auth.passphrase);
  if (parsed instanceof Error) {
    // ssh2's messages name the problem ("bad passphrase?", "no passphrase given") but never the secret.
    const reason = /passphrase/i.test(parsed.message)
      ? auth.passphrase
        ? "the passphrase is wrong"
        : "it is encrypted and no passphrase was given"
      : "it is not a supported private key (OpenSSH, PEM or PuTTY format)";
    throw new SshError("auth", `the private key for user "${username}" cannot be used: ${reason}`, {
      cause: parsed,
    });
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey())
    throw new SshError("auth", `the key for user "${username}" is a public key, not a private key`);
  return { type: "publickey", username, key };
}

async function resolveAddress(host: string): Promise<string> {
  if (isIP(host)) return host;
  // RFC 6761: `.invalid` never resolves, and resolvers should answer without asking the network
  // (glibc does send the query to the configured DNS server).
  if (/\.invalid\.?$/i.test(host) || host.toLowerCase() === "invalid")
    throw Object.assign(new Error(`${host} is a reserved name`), { code: "ENOTFOUND" });
  return (await lookup(host)).address;
}

/** DNS plus TCP connect under one deadline; we own the socket so each failure gets its own kind. */
function openSocket(host: string, port: number, timeoutMs: number, context: FailureContext): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let socket: Socket | undefined;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      reject(toSshError(error, context));
    };
    const timer = setTimeout(
      () => fail(new SshError("timeout", `timed out after ${timeoutMs} ms connecting to ${host}:${port}`)),
      timeoutMs,
    );
    resolveAddress(host).then((address) => {
      if (settled) return;
      const sock = tcpConnect({ host: address, port });
      socket = sock;
      sock.once("error", fail);
      sock.once("connect", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.removeListener("error", fail);
        sock.setNoDelay(true);
        resolve(sock);
      });
    }, fail);
  });
}

/** ssh2 keeps the peer's identification only in a private field; pinned ssh2 1.17.0 has it. */
function serverVersionOf(client: Client): string {
  const raw = (client as unknown as { _protocol?: { _remoteIdentRaw?: Buffer } })._protocol?._remoteIdentRaw;
  return raw ? raw.toString("latin1").replace(/^SSH-2\.0-/, "") : "unknown";
}

/**
 * Opens an SSH connection and authenticates. Verifies the host key against `options.hostKey` during key
 * exchange, before any credential is sent.
 * @throws {SshError} with kind `dns`, `refused`, `timeout`, `auth`, `host_key_mismatch` or `protocol`.
 */
export async function connectSsh(options: ConnectSshOptions): Promise<SshConnection> {
  const { host, port = 22, username, timeoutMs } = options;
  // Guards for untyped callers: a strict policy without a key would silently trust any host.
  if (options.hostKey.mode === "strict" && !options.hostKey.expected)
    throw new TypeError("hostKey.mode strict needs hostKey.expected");
  if (!(timeoutMs > 0)) throw new TypeError("timeoutMs must be a positive number of milliseconds");
  const context: FailureContext = { host, port, username };
  const authMethod = buildAuthMethod(options.auth, username);
  const expected = options.hostKey.expected;
  const socket = await openSocket(host, port, timeoutMs, context);
  const client = new Client();
  let closed = false;
  client.on("close", () => {
    closed = true;
  });

  return new Promise<SshConnection>((resolve, reject) => {
    let presented: HostKeyInfo | undefined;
    let isMismatch = false;
    let isHandshakeDone = false;
    let settled = false;

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      client.end();
      socket.destroy();
      if (isMismatch && presented && expected) {
        reject(
          new SshError(
            "host_key_mismatch",
            `the host key of ${host}:${port} changed: expected ${expected.algorithm} ${expected.fingerprintSha256}, ` +
              `the server presented ${presented.algorithm} ${presented.fingerprintSha256}. The connection was ` +
              "refused before sending credentials; if the host was re-installed, check the new key and update the pin",
            { hostKey: presented, expectedFingerprint: expected.fingerprintSha256 },
          ),
        );
        return;
      }
      // The key is only trustworthy once the handshake verified the server's signature with it.
      reject(toSshError(error, { ...context, hostKey: isHandshakeDone ? presented : undefined }));
    };

    // ssh2 emits "error" also after "ready" (keepalive timeout, reset); without a listener Node would throw.
    client.on("error", fail);
    client.once("handshake", () => {
      isHandshakeDone = true;
    });
    client.once("close", () => fail(new Error("the server closed the connection during the SSH handshake")));
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      resolve({
        client,
        host,
        port,
        username,
        hostKey: presented!,
        serverVersion: serverVersionOf(client),
        isClosed: () => closed,
        close: () =>
          new Promise<void>((done) => {
            if (closed) return done();
            const timer = setTimeout(() => {
              socket.destroy();
              done();
            }, 2_000);
            client.once("close", () => {
              clearTimeout(timer);
              done();
            });
            client.end();
          }),
      });
    });

    try {
      client.connect({
        sock: socket,
        username,
        authHandler: [authMethod],
        hostVerifier: (key: Buffer) => {
          presented = describeHostKey(key);
          isMismatch =
            expected !== undefined &&
            (presented.fingerprintSha256 !== expected.fingerprintSha256 ||
              presented.algorithm !== expected.algorithm);
          return !isMismatch;
        },
        readyTimeout: options.readyTimeoutMs ?? timeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 3,
        algorithms: {
          kex: KEX,
          serverHostKey: hostKeyAlgorithms(expected),
          cipher: CIPHERS,
          hmac: MACS,
          compress: ["none"],
        },
      });
    } catch (error) {
      fail(error);
    }
  });
}
