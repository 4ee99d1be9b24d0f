import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isPortOpen } from "./net.ts";
import type { StartedSshd } from "./sshd.ts";
import { startSshd } from "./sshd.ts";

async function output(cmd: string[]): Promise<{ code: number; stdout: string }> {
  const proc = Bun.spawn({ cmd, stdin: "ignore", stdout: "pipe", stderr: "ignore" });
  const stdout = await new Response(proc.stdout).text();
  return { code: await proc.exited, stdout };
}

/** What ssh-keyscan sees on the port, fingerprinted by ssh-keygen: `SHA256:...`. */
async function scanFingerprint(port: number): Promise<string> {
  const scan = await output(["ssh-keyscan", "-T", "5", "-p", String(port), "-t", "ed25519", "127.0.0.1"]);
  const proc = Bun.spawn({
    cmd: ["ssh-keygen", "-l", "-f", "-"],
    stdin: new TextEncoder().encode(scan.stdout),
    stdout: "pipe",
  });
  return (await new Response(proc.stdout).text()).split(/\s+/)[1] ?? "";
}

describe("startSshd", () => {
  let sshd: StartedSshd;

  beforeAll(async () => {
    sshd = await startSshd({ users: 2 });
  }, 30_000);
  afterAll(() => sshd?.stop());

  test("listens on 127.0.0.1 with the advertised ed25519 host key", async () => {
    expect(sshd.host).toBe("127.0.0.1");
    expect(await isPortOpen(sshd.port)).toBe(true);
    expect(sshd.hostKeys.ed25519.publicKey).toStartWith("ssh-ed25519 AAAA");
    expect(sshd.hostKeys.ed25519.fingerprintSha256).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(await scanFingerprint(sshd.port)).toBe(sshd.hostKeys.ed25519.fingerprintSha256);
  });

  test("creates distinct system users with keys and a password", async () => {
    expect(sshd.users).toHaveLength(2);
    const [a, b] = sshd.users;
    expect(a!.username).toMatch(/^opsct_[0-9a-f]{8}$/);
    expect(a!.username).not.toBe(b!.username);
    expect(a!.privateKeyPem).toContain("BEGIN OPENSSH PRIVATE KEY");
    expect(a!.encryptedPrivateKeyPem).toContain("BEGIN OPENSSH PRIVATE KEY");
    expect(a!.passphrase.length).toBeGreaterThan(8);
    expect(a!.password).not.toBe(b!.password);
    expect((await output(["getent", "passwd", a!.username])).code).toBe(0);
    // The password was really set (not the "!" useradd leaves), so sshd accepts password logins.
    const shadow = readFileSync("/etc/shadow", "utf8").split("\n");
    const entry = shadow.find((line) => line.startsWith(`${a!.username}:`))!;
    expect(entry.split(":")[1]).toStartWith("$");
  });

  test("rotateHostKey() restarts on the same port with a new host key", async () => {
    const before = sshd.hostKeys.ed25519.fingerprintSha256;
    const after = await sshd.rotateHostKey();
    expect(after).not.toBe(before);
    expect(sshd.hostKeys.ed25519.fingerprintSha256).toBe(after);
    expect(await scanFingerprint(sshd.port)).toBe(after);
    expect(sshd.readLog()).toContain(`Server listening on 127.0.0.1 port ${sshd.port}`);
  });

  test("stop() frees the port and deletes the users, their homes and processes", async () => {
    const usernames = sshd.users.map((user) => user.username);
    const homes = await Promise.all(
      usernames.map(async (name) => (await output(["getent", "passwd", name])).stdout.split(":")[5]!),
    );
    await sshd.stop();
    await sshd.stop(); // idempotent
    expect(await isPortOpen(sshd.port)).toBe(false);
    for (const name of usernames) {
      expect((await output(["getent", "passwd", name])).code).not.toBe(0);
      expect((await output(["pgrep", "-u", name])).stdout).toBe("");
    }
    for (const home of homes) expect(existsSync(home)).toBe(false);
    expect(existsSync(dirname(sshd.logPath))).toBe(false);
  });

  test("refuses listen addresses outside loopback, and more than OpenSSH's 16", async () => {
    await expect(startSshd({ listenAddresses: ["10.0.0.1"] })).rejects.toThrow("loopback addresses");
    const many = Array.from({ length: 16 }, (_, index) => `127.0.0.${index + 2}`);
    await expect(startSshd({ listenAddresses: many })).rejects.toThrow("at most 16 addresses");
  });

  test("refuses clearly when not root", async () => {
    const getuid = process.getuid;
    process.getuid = () => 1000;
    try {
      await expect(startSshd()).rejects.toThrow("startSshd() must run as root");
    } finally {
      process.getuid = getuid;
    }
  });
});

/** sshd by absolute path, as the harness runs it. */
const sshdPath = () => ["/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd"].find(existsSync) ?? "sshd";

/**
 * Opens a connection and resolves with what the server sent first (its SSH banner, "" when it closed the
 * connection instead), keeping the connection open and unauthenticated until `close()`.
 */
async function openUnauthenticated(port: number, host: string) {
  let received = "";
  let settle: (banner: string) => void = () => {};
  const banner = new Promise<string>((resolve) => {
    settle = resolve;
  });
  const socket = await Bun.connect({
    hostname: host,
    port,
    socket: {
      data(_socket, data) {
        received += data.toString();
        if (received.includes("\n")) settle(received);
      },
      close: () => settle(received),
      error: () => settle(received),
    },
  });
  return { banner, close: () => socket.end() };
}

describe("startSshd for load: several loopback addresses, raised MaxStartups and MaxSessions", () => {
  let sshd: StartedSshd;

  beforeAll(async () => {
    sshd = await startSshd({
      listenAddresses: ["127.0.0.2", "127.0.0.3"],
      maxStartups: "200:30:400",
      maxSessions: 32,
    });
  }, 30_000);
  afterAll(() => sshd?.stop());

  test("listens on every address, on the same port, with the same host key", async () => {
    expect(sshd.addresses).toEqual(["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
    for (const address of sshd.addresses) expect(await isPortOpen(sshd.port, address)).toBe(true);
    const scan = await output([
      "ssh-keyscan",
      "-T",
      "5",
      "-p",
      String(sshd.port),
      "-t",
      "ed25519",
      "127.0.0.3",
    ]);
    expect(scan.stdout).toContain(sshd.hostKeys.ed25519.publicKey);
  });

  test("sshd runs with the given MaxStartups and MaxSessions", async () => {
    const config = join(dirname(sshd.logPath), "sshd_config");
    const effective = await output([sshdPath(), "-T", "-f", config]);
    expect(effective.stdout).toContain("maxstartups 200:30:400");
    expect(effective.stdout).toContain("maxsessions 32");
  });

  test("60 unauthenticated connections at once all get the banner (the default 10:30:100 drops some)", async () => {
    const connections = await Promise.all(
      Array.from({ length: 60 }, (_, index) => openUnauthenticated(sshd.port, sshd.addresses[index % 3]!)),
    );
    try {
      const banners = await Promise.all(connections.map((connection) => connection.banner));
      expect(banners.filter((banner) => banner.startsWith("SSH-2.0-"))).toHaveLength(60);
    } finally {
      for (const connection of connections) connection.close();
    }
  });
});
