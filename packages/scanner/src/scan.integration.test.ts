/**
 * The scanner against listeners this file opens on 127.1.2.0/29 and 127.1.3.0/29 (loopback only). Every scan
 * here is allowed loopback ranges only, so nothing leaves the machine.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanRefusedError } from "./plan.ts";
import { type HostResult, scanHosts } from "./scan.ts";
import {
  closedPort,
  startHttpListener,
  startSilentListener,
  startSshLikeListener,
  type TestListener,
} from "./test-support.ts";

const SSH_BANNER = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";
const folder = mkdtempSync(join(tmpdir(), "opsc-scan-"));
const hostsFile = join(folder, "hosts");
writeFileSync(hostsFile, "127.1.2.1 ssh-box.test\n");

let ssh: TestListener;
let http: TestListener;
let silent: TestListener;
let closed: number;
const listeners: TestListener[] = [];

beforeAll(() => {
  ssh = startSshLikeListener("127.1.2.1", SSH_BANNER);
  http = startHttpListener("127.1.2.2", { title: "Fleet &amp; status", server: "nginx/1.22.1" });
  silent = startSilentListener("127.1.2.3");
  closed = closedPort("127.1.2.4");
  listeners.push(ssh, http, silent);
});
afterAll(() => {
  for (const listener of listeners) listener.stop();
  rmSync(folder, { recursive: true, force: true });
});

const portsUnderTest = () => [ssh.port, http.port, silent.port, closed];

async function scan(overrides: Partial<Parameters<typeof scanHosts>[0]> = {}) {
  const hosts: HostResult[] = [];
  const summary = await scanHosts({
    cidrs: ["127.1.2.0/29"],
    allowedCidrs: ["127.1.2.0/24"],
    ports: portsUnderTest(),
    timeoutMs: 500,
    concurrency: 32,
    reverseDns: false,
    onHost: (host) => {
      hosts.push(host);
    },
    ...overrides,
  });
  return { hosts: hosts.sort((a, b) => a.address.localeCompare(b.address)), summary };
}

describe("scanHosts on loopback", () => {
  test("a /29 finds exactly the listeners, with their banners", async () => {
    const { hosts, summary } = await scan({ reverseDns: true, hostsFile });
    expect(hosts).toEqual([
      {
        address: "127.1.2.1",
        hostname: "ssh-box.test",
        osHint: "debian",
        ports: [
          { port: ssh.port, latencyMs: expect.any(Number), service: "ssh", banner: SSH_BANNER, http: null },
        ],
      },
      {
        address: "127.1.2.2",
        hostname: null,
        osHint: null,
        ports: [
          {
            port: http.port,
            latencyMs: expect.any(Number),
            service: "http",
            banner: null,
            http: { status: 200, server: "nginx/1.22.1", title: "Fleet & status", tls: false },
          },
        ],
      },
      {
        address: "127.1.2.3",
        hostname: null,
        osHint: null,
        ports: [
          { port: silent.port, latencyMs: expect.any(Number), service: null, banner: null, http: null },
        ],
      },
    ]);
    expect(summary).toMatchObject({
      addressesTotal: 6,
      addressesDone: 6,
      probesTotal: 24,
      probesDone: 24,
      hostsFound: 3,
      portStates: { open: 3, closed: 21, filtered: 0, unreachable: 0 },
    });
  });

  test("a port that accepts and never answers costs a bounded wait, not a hang", async () => {
    const startedAt = performance.now();
    const { hosts } = await scan({ cidrs: ["127.1.2.3"], ports: [silent.port], timeoutMs: 300 });
    const elapsedMs = performance.now() - startedAt;
    expect(hosts.map((host) => host.ports)).toEqual([
      [{ port: silent.port, latencyMs: expect.any(Number), service: null, banner: null, http: null }],
    ]);
    // Greeting wait (≤ timeout) plus the HTTP read (timeout), with generous slack for a loaded machine.
    expect(elapsedMs).toBeLessThan(5_000);
  });

  test("probes in flight never exceed the concurrency", async () => {
    let open = 0;
    let peak = 0;
    const busy = Array.from({ length: 6 }, () =>
      Bun.listen({
        hostname: "127.1.3.1",
        port: 0,
        socket: {
          open() {
            open++;
            peak = Math.max(peak, open);
          },
          close() {
            open--;
          },
          data() {},
        },
      }),
    );
    try {
      const startedAt = performance.now();
      const { summary } = await scan({
        cidrs: ["127.1.3.1"],
        allowedCidrs: ["127.1.3.0/29"],
        ports: busy.map((listener) => listener.port),
        timeoutMs: 200,
        concurrency: 2,
      });
      expect(summary.portStates.open).toBe(6);
      // Each silent port holds its probe for the greeting wait plus the HTTP read (2 × 200 ms): six of them,
      // two at a time, take at least three such rounds. Unbounded, they would take one.
      expect(performance.now() - startedAt).toBeGreaterThan(3 * 400 * 0.9);
      expect(peak).toBeGreaterThanOrEqual(2);
    } finally {
      for (const listener of busy) listener.stop(true);
    }
  });

  test("a range outside the allowed ones is refused before anything is sent", async () => {
    const outside = startSilentListener("127.1.4.1");
    listeners.push(outside);
    const attempt = scanHosts({
      cidrs: ["127.1.2.0/29", "127.1.4.0/30"],
      allowedCidrs: ["127.1.2.0/24"],
      ports: [outside.port],
      timeoutMs: 200,
      concurrency: 4,
      reverseDns: false,
    });
    await expect(attempt).rejects.toBeInstanceOf(ScanRefusedError);
    await expect(attempt).rejects.toThrow("127.1.4.0/30 is not inside an allowed range");
    expect(outside.connections()).toBe(0);
  });

  test("aborting stops the scan promptly with the signal's reason", async () => {
    const controller = new AbortController();
    const startedAt = performance.now();
    setTimeout(() => controller.abort(new Error("stop now")), 100);
    await expect(
      scan({
        cidrs: ["127.1.2.0/24"],
        ports: [silent.port],
        timeoutMs: 2_000,
        concurrency: 4,
        signal: controller.signal,
      }),
    ).rejects.toThrow("stop now");
    expect(performance.now() - startedAt).toBeLessThan(1_500);
  });

  test.skipIf(!Bun.which("openssl"))("HTTPS ports are read over TLS, certificate unchecked", async () => {
    const key = join(folder, "key.pem");
    const cert = join(folder, "cert.pem");
    const made = Bun.spawnSync({
      cmd: [
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=scan.test",
      ],
      stdout: "ignore",
      stderr: "pipe",
    });
    expect(made.exitCode).toBe(0);
    const https = startHttpListener("127.1.2.5", {
      title: "Secure console",
      server: "Microsoft-IIS/10.0",
      port: 8443,
      tls: { cert: await Bun.file(cert).text(), key: await Bun.file(key).text() },
    });
    listeners.push(https);
    const { hosts } = await scan({ cidrs: ["127.1.2.5"], ports: [8443] });
    expect(hosts).toMatchObject([
      {
        address: "127.1.2.5",
        osHint: "windows",
        ports: [
          {
            port: 8443,
            service: "https",
            http: { status: 200, title: "Secure console", server: "Microsoft-IIS/10.0", tls: true },
          },
        ],
      },
    ]);
  });

  test("IPv6 loopback is scanned like IPv4", async () => {
    const six = startSshLikeListener("::1", "SSH-2.0-OpenSSH_9.6 FreeBSD-20240104");
    listeners.push(six);
    const hosts: HostResult[] = [];
    await scanHosts({
      cidrs: ["::1"],
      allowedCidrs: ["::1/128"],
      ports: [six.port],
      timeoutMs: 500,
      concurrency: 2,
      reverseDns: false,
      onHost: (host) => void hosts.push(host),
    });
    expect(hosts).toMatchObject([
      { address: "::1", osHint: "freebsd", ports: [{ port: six.port, service: "ssh" }] },
    ]);
  });
});
