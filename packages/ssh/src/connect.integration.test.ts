import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getFreePort, sleep } from "@opsc/testing/net";
import type { StartedSshd } from "@opsc/testing/sshd";
import { startSshd } from "@opsc/testing/sshd";
import type { ConnectSshOptions } from "./connect.ts";
import { connectSsh } from "./connect.ts";
import { SshError } from "./errors.ts";
import { testSshConnection } from "./test-connection.ts";

let sshd: StartedSshd;

beforeAll(async () => {
  sshd = await startSshd({ users: 2 });
  // Hooks default to 5 s in bun:test (bunfig's timeout covers tests only); the first RSA key can take longer.
}, 30_000);
afterAll(() => sshd?.stop());

const user = () => sshd.users[0]!;
const otherUser = () => sshd.users[1]!;

function options(overrides: Partial<ConnectSshOptions> = {}): ConnectSshOptions {
  return {
    host: sshd.host,
    port: sshd.port,
    username: user().username,
    auth: { type: "key", privateKey: user().privateKeyPem },
    hostKey: { mode: "pin-on-first-use" },
    timeoutMs: 5_000,
    ...overrides,
  };
}

/** No error text may carry a secret of either test user. */
function expectNoSecrets(text: string): void {
  for (const { password, passphrase, privateKeyPem, encryptedPrivateKeyPem } of sshd.users) {
    for (const secret of [password, passphrase]) expect(text).not.toContain(secret);
    for (const pem of [privateKeyPem, encryptedPrivateKeyPem])
      expect(text).not.toContain(pem.split("\n")[1]!);
  }
}

async function expectSshError(promise: Promise<unknown>, kind: SshError["kind"]): Promise<SshError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SshError);
  expect((error as SshError).kind).toBe(kind);
  expectNoSecrets((error as SshError).message);
  return error as SshError;
}

/** Waits until sshd has logged the end of every connection it logged the start of. */
async function settledLogSince(offset: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const log = sshd.readLog().slice(offset);
    const opened = log.match(/Connection from /g)?.length ?? 0;
    const ended =
      log.match(/Connection (closed|reset) by|Disconnected from|Received disconnect/g)?.length ?? 0;
    if (opened > 0 && ended >= opened) return log;
    await sleep(50);
  }
  throw new Error(`sshd did not log the end of the connection:\n${sshd.readLog().slice(offset)}`);
}

describe("testSshConnection", () => {
  test("key auth: ok with latency, the server version and the harness's host key", async () => {
    const result = await testSshConnection(options());
    if (!result.ok) throw new Error(result.error.message);
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThan(5_000);
    expect(result.serverVersion).toStartWith("OpenSSH_9");
    expect(result.hostKey.algorithm).toBe("ssh-ed25519");
    expect(result.hostKey.fingerprintSha256).toBe(sshd.hostKeys.ed25519.fingerprintSha256);
    expect(`ssh-ed25519 ${result.hostKey.publicKeyBase64}`).toBe(sshd.hostKeys.ed25519.publicKey);
  });

  test("an encrypted RSA key with its passphrase", async () => {
    const auth = {
      type: "key",
      privateKey: user().encryptedPrivateKeyPem,
      passphrase: user().passphrase,
    } as const;
    const result = await testSshConnection(options({ auth }));
    expect(result).toMatchObject({ ok: true });
  });

  test("a password", async () => {
    const result = await testSshConnection(
      options({ auth: { type: "password", password: user().password } }),
    );
    expect(result).toMatchObject({ ok: true });
  });

  test("wrong or missing passphrase: auth, detected before connecting", async () => {
    const logOffset = sshd.readLog().length;
    const wrong = await testSshConnection(
      options({ auth: { type: "key", privateKey: user().encryptedPrivateKeyPem, passphrase: "not it" } }),
    );
    expect(wrong).toMatchObject({ ok: false, error: { kind: "auth" } });
    if (wrong.ok) return;
    expect(wrong.error.message).toContain("passphrase is wrong");
    expect(wrong.hostKey).toBeUndefined();
    const missing = await expectSshError(
      connectSsh(options({ auth: { type: "key", privateKey: user().encryptedPrivateKeyPem } })),
      "auth",
    );
    expect(missing.message).toContain("no passphrase was given");
    await expectSshError(connectSsh(options({ auth: { type: "key", privateKey: "not a key" } })), "auth");
    expect(sshd.readLog().slice(logOffset)).not.toContain("Connection from");
  });

  test("wrong password, another user's key, unknown user: auth, with the host key seen", async () => {
    const attempts: Partial<ConnectSshOptions>[] = [
      { auth: { type: "password", password: otherUser().password } },
      { auth: { type: "key", privateKey: otherUser().privateKeyPem } },
      { username: "opsct_nosuchuser" },
    ];
    for (const attempt of attempts) {
      const result = await testSshConnection(options(attempt));
      expect(result).toMatchObject({ ok: false, error: { kind: "auth" } });
      if (result.ok) continue;
      expect(result.hostKey?.fingerprintSha256).toBe(sshd.hostKeys.ed25519.fingerprintSha256);
      expectNoSecrets(JSON.stringify(result));
    }
  });

  test("nothing listening: refused", async () => {
    const result = await testSshConnection(options({ port: await getFreePort() }));
    expect(result).toMatchObject({ ok: false, error: { kind: "refused" } });
  });

  test("a name that cannot resolve: dns, at once and without asking a DNS server", async () => {
    // `.invalid` is answered locally (RFC 6761); glibc alone would send the query to the network.
    const started = performance.now();
    const result = await testSshConnection(options({ host: "no-such-host.invalid", timeoutMs: 2_000 }));
    expect(result).toMatchObject({ ok: false, error: { kind: "dns" } });
    expect(performance.now() - started).toBeLessThan(500);
  });

  test("a server that accepts but never speaks: timeout after readyTimeoutMs", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const started = performance.now();
      const result = await testSshConnection(options({ port: silent.port, readyTimeoutMs: 400 }));
      expect(result).toMatchObject({ ok: false, error: { kind: "timeout" } });
      expect(performance.now() - started).toBeGreaterThanOrEqual(390);
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      silent.stop(true);
    }
  });

  test("a server that is not SSH: protocol", async () => {
    const http = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(socket) {
          socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
        },
        data() {},
      },
    });
    try {
      const result = await testSshConnection(options({ port: http.port }));
      expect(result).toMatchObject({ ok: false, error: { kind: "protocol" } });
    } finally {
      http.stop(true);
    }
  });
});

describe("connectSsh host key policy", () => {
  test("pin-on-first-use returns the host key; strict accepts it; close() ends the connection", async () => {
    const first = await connectSsh(options());
    expect(first.hostKey.fingerprintSha256).toBe(sshd.hostKeys.ed25519.fingerprintSha256);
    await first.close();
    expect(first.isClosed()).toBe(true);
    await first.close();

    const { algorithm, fingerprintSha256 } = first.hostKey;
    const pinned = await connectSsh(
      options({ hostKey: { mode: "strict", expected: { algorithm, fingerprintSha256 } } }),
    );
    expect(pinned.hostKey).toEqual(first.hostKey);
    await pinned.close();
  });

  test("after the host key changed: host_key_mismatch, refused before any authentication", async () => {
    const old = { algorithm: "ssh-ed25519", fingerprintSha256: sshd.hostKeys.ed25519.fingerprintSha256 };
    const rotated = await sshd.rotateHostKey();
    const logOffset = sshd.readLog().length;

    const error = await expectSshError(
      connectSsh(
        options({
          auth: { type: "password", password: user().password },
          hostKey: { mode: "strict", expected: old },
        }),
      ),
      "host_key_mismatch",
    );
    expect(error.expectedFingerprint).toBe(old.fingerprintSha256);
    expect(error.actualFingerprint).toBe(rotated);
    expect(error.message).toContain(old.fingerprintSha256);
    expect(error.message).toContain(rotated);

    // sshd saw the connection but no authentication attempt of any kind (not even "none").
    const log = await settledLogSince(logOffset);
    expect(log).toContain("Connection from 127.0.0.1");
    expect(log).not.toMatch(/Accepted|Failed|Postponed|Invalid user|authenticating user/);

    const result = await testSshConnection(options({ hostKey: { mode: "pin-on-first-use", expected: old } }));
    expect(result).toMatchObject({
      ok: false,
      error: { kind: "host_key_mismatch" },
      hostKey: { fingerprintSha256: rotated },
    });

    const fresh = await testSshConnection(options({ hostKey: { mode: "pin-on-first-use" } }));
    expect(fresh).toMatchObject({ ok: true, hostKey: { fingerprintSha256: rotated } });
  });
});
