import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort, sleep } from "./net.ts";
import type { StartedProcess } from "./process.ts";
import { startProcess } from "./process.ts";
import { randomSuffix } from "./random.ts";

/** Options for {@link startSshd}. */
export interface StartSshdOptions {
  /** How many temporary system users to create; default 1. */
  users?: number;
  /** How long to wait for sshd to listen; default 15 s. */
  timeoutMs?: number;
  /**
   * Further loopback addresses (127.0.0.0/8) to listen on besides 127.0.0.1, all on the same port; at most 16 in
   * all (OpenSSH's limit of listening sockets). Distinct addresses let one sshd stand in for several hosts.
   */
  listenAddresses?: string[];
  /**
   * sshd's MaxStartups (`start:rate:full`, or a number): unauthenticated connections at once before sshd starts
   * dropping new ones. OpenSSH's default `10:30:100` drops some of 50 simultaneous connects; raise it for load.
   */
  maxStartups?: string;
  /** sshd's MaxSessions: sessions (channels) at once per connection; OpenSSH's default is 10. */
  maxSessions?: number;
  /**
   * Let the users run anything as root with `sudo`, after typing their password (a sudoers.d file per user,
   * removed with the user). Needs the `sudo` package.
   */
  sudo?: boolean;
}

/** A temporary system user that can log in to the sshd from {@link startSshd}. */
export interface SshdUser {
  username: string;
  /** Unencrypted ed25519 private key (OpenSSH format), listed in the user's authorized_keys. */
  privateKeyPem: string;
  /**
   * RSA-3072 private key (OpenSSH format) encrypted with `passphrase`, also authorized. Shared by all users
   * of the process (generating one is slow); use `privateKeyPem` where the key must identify one user.
   */
  encryptedPrivateKeyPem: string;
  passphrase: string;
  /** The user's real login password (set with chpasswd). */
  password: string;
}

/** Public half and OpenSSH fingerprint of a host key. */
export interface SshdHostKey {
  /** `ssh-ed25519 AAAA...` as in a known_hosts line (without host and comment). */
  publicKey: string;
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  fingerprintSha256: string;
}

/** A throw-away sshd started by {@link startSshd}. */
export interface StartedSshd {
  host: "127.0.0.1";
  port: number;
  /** Every address sshd listens on, on the same port: `host` first, then the `listenAddresses`. */
  addresses: string[];
  users: SshdUser[];
  /** The current host key; {@link StartedSshd.rotateHostKey} replaces this entry. */
  hostKeys: { ed25519: SshdHostKey };
  /** sshd's log file (LogLevel VERBOSE), inside the temp dir that stop() deletes. */
  logPath: string;
  /** sshd's log so far: a "Connection from" line per connection, "Accepted"/"Failed" per auth attempt. */
  readLog(): string;
  /**
   * Generates a new ed25519 host key and restarts sshd on the same port, as if the host had been
   * re-installed or spoofed. Resolves with the new fingerprint.
   */
  rotateHostKey(): Promise<string>;
  /** Stops sshd, kills the users' processes, deletes the users (`userdel -r`) and the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const USER_PREFIX = "opsct_";
// Written into the GECOS field so users left behind by a killed test run can be recognised and removed.
const GECOS_MARK = "opsc-test-sshd pid=";

async function run(cmd: string[], stdin?: string): Promise<string> {
  const proc = Bun.spawn({
    cmd,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  // Never echo stdin: it carries passwords.
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${stderr.trim() || stdout.trim()}`);
  return stdout;
}

/**
 * useradd, chpasswd and userdel fail at once ("cannot lock /etc/passwd") while another process edits the
 * account files, e.g. a concurrent test file: retry those for a few seconds.
 */
async function runAccountTool(cmd: string[], stdin?: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(cmd, stdin);
    } catch (error) {
      if (attempt >= 30 || !/lock/i.test((error as Error).message)) throw error;
      await sleep(50 + Math.random() * 150);
    }
  }
}

// A non-login root shell may lack the sbin directories in PATH, so look there explicitly.
function findBinary(name: string, debianPackage: string): string {
  const path = [`/usr/sbin/${name}`, `/usr/bin/${name}`, `/sbin/${name}`].find(existsSync) ?? Bun.which(name);
  if (!path) throw new Error(`startSshd() needs ${name}: apt-get install ${debianPackage}`);
  return path;
}

/** Absolute paths of the tools the harness runs; resolved once, with install hints when missing. */
function findTools() {
  return {
    sshd: findBinary("sshd", "openssh-server"),
    sshKeygen: findBinary("ssh-keygen", "openssh-client"),
    useradd: findBinary("useradd", "passwd"),
    userdel: findBinary("userdel", "passwd"),
    chpasswd: findBinary("chpasswd", "passwd"),
    pgrep: findBinary("pgrep", "procps"),
  };
}
let cachedTools: ReturnType<typeof findTools> | undefined;
const tools = () => {
  cachedTools ??= findTools();
  return cachedTools;
};

/** OpenSSH's `SHA256:<base64 without padding>` of the key blob in a `type base64 [comment]` line. */
function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? "", "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

async function generateKey(path: string, type: "ed25519" | "rsa", passphrase = ""): Promise<void> {
  const bits = type === "rsa" ? ["-b", "3072"] : [];
  await run([tools().sshKeygen, "-q", "-t", type, ...bits, "-N", passphrase, "-C", "opsc-test", "-f", path]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Kills every process of `username` (sessions outlive sshd's listener) and deletes the user and home. */
/** The sudoers.d file that lets a test user use sudo (see `StartSshdOptions.sudo`). */
const sudoersFile = (username: string) => `/etc/sudoers.d/${username}`;

function deleteUserSync(username: string): void {
  rmSync(sudoersFile(username), { force: true });
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = Bun.spawnSync([tools().pgrep, "-u", username])
      .stdout.toString()
      .split(/\s+/)
      .filter(Boolean);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {}
    }
    Bun.sleepSync(50);
  }
  // Sync (it also runs in the exit handler); retried while another process holds the passwd lock.
  for (let attempt = 0; attempt < 30; attempt++) {
    const userdel = Bun.spawnSync([tools().userdel, "-r", username], { stdout: "ignore", stderr: "pipe" });
    // Exit code 6: no such user (already gone); 0 also covers "mail spool not found" warnings.
    if (userdel.exitCode === 0 || userdel.exitCode === 6 || !/lock/i.test(userdel.stderr.toString())) return;
    Bun.sleepSync(50 + Math.random() * 150);
  }
}

const DIR_PREFIX = "opsc-sshd-";

/**
 * Cleans up after test processes that were killed before stop(): deletes their users, stops their sshd
 * (by the pid recorded in its temp dir, after checking the pid still runs that dir's config) and removes
 * the temp dir. Only what belongs to a dead owner pid is touched, so concurrent test files are safe.
 */
function removeStaleLeftovers(): void {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [name, , , , gecos] = line.split(":");
    if (!name?.startsWith(USER_PREFIX) || !gecos?.startsWith(GECOS_MARK)) continue;
    const owner = Number(gecos.slice(GECOS_MARK.length));
    if (owner > 0 && owner !== process.pid && !isAlive(owner)) deleteUserSync(name);
  }
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    const read = (file: string) =>
      Number(existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : 0);
    const owner = read("owner.pid");
    if (!(owner > 0) || owner === process.pid || isAlive(owner)) continue;
    const sshdPid = read("sshd.pid");
    const cmdline =
      sshdPid > 0 && existsSync(`/proc/${sshdPid}/cmdline`)
        ? readFileSync(`/proc/${sshdPid}/cmdline`, "utf8")
        : "";
    if (cmdline.includes(dir)) process.kill(sshdPid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

// Users are system-wide: if a test file forgets stop() (or fails before it), remove them on exit anyway.
const liveUsers = new Set<string>();
process.on("exit", () => {
  for (const username of liveUsers) deleteUserSync(username);
});

/** Creates the account with a password; sequential per process since the account files are locked. */
async function createAccount(): Promise<{ username: string; password: string }> {
  const username = `${USER_PREFIX}${randomSuffix(4)}`;
  await runAccountTool([
    tools().useradd,
    "-m",
    "-s",
    "/bin/bash",
    "-c",
    `${GECOS_MARK}${process.pid}`,
    username,
  ]);
  liveUsers.add(username);
  // A real password also unlocks the account: useradd leaves "!" in /etc/shadow, which sshd (UsePAM no)
  // treats as locked even for key logins. Key-only users would get `usermod -p '*'` instead.
  const password = `pw-${randomSuffix(12)}`;
  await runAccountTool([tools().chpasswd], `${username}:${password}\n`);
  return { username, password };
}

interface EncryptedKey {
  privateKeyPem: string;
  publicKey: string;
  passphrase: string;
}
let encryptedKey: Promise<EncryptedKey> | undefined;

/**
 * The passphrase-protected RSA-3072 key, generated once per process and shared by every user: generating
 * one takes 0.3-3 s of CPU, which made startSshd() slow and, with parallel test processes, flaky.
 */
function getEncryptedKey(): Promise<EncryptedKey> {
  encryptedKey ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "opsc-sshd-key-"));
    try {
      const passphrase = `pass ${randomSuffix(8)}`;
      await generateKey(join(dir, "rsa"), "rsa", passphrase);
      return {
        privateKeyPem: readFileSync(join(dir, "rsa"), "utf8"),
        publicKey: readFileSync(join(dir, "rsa.pub"), "utf8"),
        passphrase,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return encryptedKey;
}

/** Generates the user's own ed25519 key and authorizes it together with the shared encrypted key. */
async function provisionKeys(
  dir: string,
  account: { username: string; password: string },
): Promise<SshdUser> {
  const { username } = account;
  const keyPath = join(dir, `${username}_ed25519`);
  const [encrypted] = await Promise.all([getEncryptedKey(), generateKey(keyPath, "ed25519")]);

  const home = (await run(["getent", "passwd", username])).split(":")[5]!;
  const sshDir = join(home, ".ssh");
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const authorizedKeys = [readFileSync(`${keyPath}.pub`, "utf8"), encrypted.publicKey];
  writeFileSync(join(sshDir, "authorized_keys"), authorizedKeys.join(""), { mode: 0o600 });
  // sshd reads authorized_keys as the user, and StrictModes wants it owned by the user.
  await run(["chown", "-R", `${username}:${username}`, sshDir]);
  return {
    ...account,
    privateKeyPem: readFileSync(keyPath, "utf8"),
    encryptedPrivateKeyPem: encrypted.privateKeyPem,
    passphrase: encrypted.passphrase,
  };
}

/** OpenSSH's MAX_LISTEN_SOCKS: sshd refuses to start with more listening sockets. */
const MAX_LISTEN_ADDRESSES = 16;
const LOOPBACK_IPV4 =
  /^127\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** The options' listen addresses, checked: loopback IPv4 only (a test sshd must not be reachable from elsewhere). */
function listenAddressesOf(options: StartSshdOptions): string[] {
  const addresses = [...new Set(["127.0.0.1", ...(options.listenAddresses ?? [])])];
  if (addresses.length > MAX_LISTEN_ADDRESSES)
    throw new Error(
      `startSshd() listens on at most ${MAX_LISTEN_ADDRESSES} addresses, not ${addresses.length}`,
    );
  const outside = addresses.find((address) => !LOOPBACK_IPV4.test(address));
  if (outside)
    throw new Error(`startSshd() listens on loopback addresses (127.0.0.0/8) only, not ${outside}`);
  return addresses;
}

interface SshdSettings {
  addresses: string[];
  maxStartups?: string;
  maxSessions?: number;
}

function sshdConfig(dir: string, port: number, usernames: string[], settings: SshdSettings): string {
  return [
    ...settings.addresses.map((address) => `ListenAddress ${address}`),
    `Port ${port}`,
    `HostKey ${join(dir, "host_ed25519")}`,
    "PidFile none",
    // UsePAM no: sshd checks passwords against /etc/shadow itself, independent of the machine's PAM stack
    // (pam_loginuid/pam_systemd fail in some containers). It needs a real or "*" shadow entry, not "!".
    "UsePAM no",
    "PubkeyAuthentication yes",
    "PasswordAuthentication yes",
    "KbdInteractiveAuthentication no",
    "AuthorizedKeysFile .ssh/authorized_keys",
    "StrictModes yes",
    "PermitRootLogin no",
    `AllowUsers ${usernames.join(" ")}`,
    "X11Forwarding no",
    "AllowTcpForwarding no",
    "PrintMotd no",
    // The execution workers fetch artifacts over SFTP.
    "Subsystem sftp internal-sftp",
    "LogLevel VERBOSE",
    ...(settings.maxStartups ? [`MaxStartups ${settings.maxStartups}`] : []),
    ...(settings.maxSessions ? [`MaxSessions ${settings.maxSessions}`] : []),
    "",
  ].join("\n");
}

/**
 * Starts a throw-away OpenSSH server on 127.0.0.1 with temporary system users (`opsct_<random>`), each
 * with its own ed25519 key and password, plus a passphrase-protected RSA key shared by all of them.
 * Takes ~0.3 s, plus the first RSA key generation of the process (0.3-3 s). Needs root (it runs useradd) and
 * openssh-server. Every call is independent, so several test files can run one each.
 *
 * What works on Debian 12 (OpenSSH 9.2p1): `UsePAM no` with the password set by chpasswd (sshd checks
 * /etc/shadow itself; `UsePAM yes` also works here but depends on the machine's PAM stack); `/run/sshd`
 * must exist; sshd must be started by absolute path. Users left behind by a killed test process are
 * removed by the next call (their GECOS field names the owning pid).
 */
export async function startSshd(options: StartSshdOptions = {}): Promise<StartedSshd> {
  if (process.getuid?.() !== 0)
    throw new Error("startSshd() must run as root: it creates temporary system users with useradd");
  const settings: SshdSettings = {
    addresses: listenAddressesOf(options),
    maxStartups: options.maxStartups,
    maxSessions: options.maxSessions,
  };
  const sshdBin = tools().sshd;
  // Privilege separation directory; Debian creates it only when the service starts.
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  removeStaleLeftovers();

  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  const logPath = join(dir, "sshd.log");
  const configPath = join(dir, "sshd_config");
  const hostKeyPath = join(dir, "host_ed25519");
  // Every account created, even before its keys exist, so stop() can delete it after any failure.
  const accounts: { username: string; password: string }[] = [];
  let users: SshdUser[] = [];
  let sshd: StartedProcess | undefined;
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await sshd?.stop();
    for (const { username } of accounts) {
      deleteUserSync(username);
      liveUsers.delete(username);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const readHostKey = (): SshdHostKey => {
    const line = readFileSync(`${hostKeyPath}.pub`, "utf8").trim();
    const [type, base64] = line.split(/\s+/);
    return { publicKey: `${type} ${base64}`, fingerprintSha256: fingerprintOf(line) };
  };

  const launch = async (port: number, timeoutMs: number) => {
    writeFileSync(
      configPath,
      sshdConfig(
        dir,
        port,
        accounts.map((account) => account.username),
        settings,
      ),
      { mode: 0o600 },
    );
    await run([sshdBin, "-t", "-f", configPath]);
    const logStart = existsSync(logPath) ? readFileSync(logPath, "utf8").length : 0;
    // sshd re-executes itself, so it needs an absolute path; -D keeps it in the foreground (our child).
    const child = await startProcess({
      cmd: [sshdBin, "-D", "-f", configPath, "-E", logPath],
      stopGraceMs: 2_000,
    });
    writeFileSync(join(dir, "sshd.pid"), String(child.proc.pid));
    const deadline = Date.now() + timeoutMs;
    // Wait for sshd's own "listening" line instead of probing the port, which would add log noise.
    while (true) {
      const log = existsSync(logPath) ? readFileSync(logPath, "utf8").slice(logStart) : "";
      if (settings.addresses.every((address) => log.includes(`Server listening on ${address} port ${port}`)))
        return child;
      // sshd carries on when only some of its addresses could be bound: a port taken on one is a failed start.
      if (child.proc.exitCode !== null || Date.now() > deadline || log.includes("Address already in use")) {
        await child.stop();
        throw new Error(`sshd did not start on port ${port}:\n${log.slice(-4_000)}${child.output()}`);
      }
      await sleep(20);
    }
  };

  const timeoutMs = options.timeoutMs ?? 15_000;
  let port = 0;
  try {
    for (let i = 0; i < (options.users ?? 1); i++) accounts.push(await createAccount());
    if (options.sudo) {
      if (!existsSync("/usr/bin/sudo"))
        throw new Error("startSshd({ sudo: true }) needs sudo: apt-get install sudo");
      for (const { username } of accounts)
        writeFileSync(sudoersFile(username), `${username} ALL=(ALL:ALL) ALL\n`, { mode: 0o440 });
    }
    users = await Promise.all(accounts.map((account) => provisionKeys(dir, account)));
    await generateKey(hostKeyPath, "ed25519");
    // getFreePort() can race with another process grabbing the port: retry with a new one.
    for (let attempt = 1; !sshd; attempt++) {
      port = await getFreePort();
      try {
        sshd = await launch(port, timeoutMs);
      } catch (error) {
        if (attempt >= 3 || !/Address already in use/.test((error as Error).message)) throw error;
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const started: StartedSshd = {
    host: "127.0.0.1",
    port,
    addresses: settings.addresses,
    users,
    hostKeys: { ed25519: readHostKey() },
    logPath,
    readLog: () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : ""),
    async rotateHostKey() {
      await sshd?.stop();
      unlinkSync(hostKeyPath);
      unlinkSync(`${hostKeyPath}.pub`);
      await generateKey(hostKeyPath, "ed25519");
      sshd = await launch(port, timeoutMs);
      started.hostKeys.ed25519 = readHostKey();
      return started.hostKeys.ed25519.fingerprintSha256;
    },
    stop,
  };
  return started;
}
