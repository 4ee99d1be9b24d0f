/**
 * A scan of a network that exists only on this machine: a network namespace this file creates, joined to the
 * test process's namespace by a veth pair (10.254.254.1/29 here, 10.254.254.2/29 inside). Nothing else uses
 * those addresses; the route to them is checked to go through the veth before a single probe is sent, and
 * everything is deleted afterwards. Skipped when namespaces cannot be created (not root, no `ip`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { type HostResult, scanHosts } from "./scan.ts";

const RANGE = "10.254.254.0/29";
const HOST_SIDE = "10.254.254.1";
const INSIDE = "10.254.254.2";
const SSH_BANNER = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";
const suffix = randomBytes(3).toString("hex");
const namespace = `opsc-scan-${suffix}`;
// Interface names are at most 15 characters.
const hostVeth = `opsc${suffix}h`;
const insideVeth = `opsc${suffix}n`;

let skipReason: string | null = null;
let listener: Bun.Subprocess<"ignore", "pipe", "pipe"> | null = null;
let ports: { ssh: number; http: number } | null = null;

function ip(...args: string[]): void {
  const result = Bun.spawnSync({ cmd: ["ip", ...args], stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr.toString().trim()}`);
}

function routeDevice(address: string): string | null {
  const result = Bun.spawnSync({
    cmd: ["ip", "-o", "route", "get", address],
    stdout: "pipe",
    stderr: "pipe",
  });
  return / dev (\S+)/.exec(result.stdout.toString())?.[1] ?? null;
}

// Runs inside the namespace: an SSH-like banner and a web page on kernel-chosen ports, reported on stdout.
const LISTENER_SCRIPT = `
const ssh = Bun.listen({ hostname: "${INSIDE}", port: 0, socket: { open(s) { s.write("${SSH_BANNER}\\r\\n"); }, data() {} } });
const http = Bun.serve({ hostname: "${INSIDE}", port: 0, fetch: () => new Response("<title>Namespace host</title>", { headers: { "content-type": "text/html", server: "test/1" } }) });
console.log(JSON.stringify({ ssh: ssh.port, http: http.port }));
setInterval(() => {}, 1 << 30);
`;

async function setUp(): Promise<void> {
  if (process.platform !== "linux" || process.getuid?.() !== 0 || !Bun.which("ip")) {
    throw new Error("needs Linux, root and iproute2");
  }
  ip("netns", "add", namespace);
  ip("link", "add", hostVeth, "type", "veth", "peer", "name", insideVeth);
  ip("link", "set", insideVeth, "netns", namespace);
  ip("addr", "add", `${HOST_SIDE}/29`, "dev", hostVeth);
  ip("link", "set", hostVeth, "up");
  ip("-n", namespace, "addr", "add", `${INSIDE}/29`, "dev", insideVeth);
  ip("-n", namespace, "link", "set", insideVeth, "up");
  ip("-n", namespace, "link", "set", "lo", "up");
  // The guard against sending anything elsewhere: every address of the range must route through our veth.
  for (const address of [INSIDE, "10.254.254.3", "10.254.254.6"]) {
    const device = routeDevice(address);
    if (device !== hostVeth) throw new Error(`${address} routes via ${device ?? "nothing"}, not ${hostVeth}`);
  }
  listener = Bun.spawn({
    cmd: ["ip", "netns", "exec", namespace, process.execPath, "-e", LISTENER_SCRIPT],
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = listener.stdout.getReader();
  const first = await Promise.race([
    reader.read(),
    Bun.sleep(15_000).then(() => ({ value: undefined, done: true as const })),
  ]);
  reader.releaseLock();
  if (!first.value) throw new Error("the listener inside the namespace did not start");
  ports = JSON.parse(new TextDecoder().decode(first.value).trim()) as { ssh: number; http: number };
}

function tearDown(): void {
  listener?.kill("SIGKILL");
  // Deleting one end of a veth pair deletes both; deleting the namespace removes what was inside it.
  Bun.spawnSync({ cmd: ["ip", "link", "del", hostVeth], stdout: "ignore", stderr: "ignore" });
  Bun.spawnSync({ cmd: ["ip", "netns", "del", namespace], stdout: "ignore", stderr: "ignore" });
}

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    skipReason = (error as Error).message;
    tearDown();
    console.warn(`namespace scan test skipped: network namespaces are not available (${skipReason})`);
  }
}, 60_000);
afterAll(async () => {
  tearDown();
  await listener?.exited;
});

describe("scanHosts in a network namespace", () => {
  test("finds the host inside the namespace; unassigned addresses time out as filtered", async () => {
    if (skipReason || !ports) {
      console.warn(`skipped: ${skipReason}`);
      return;
    }
    const hosts: HostResult[] = [];
    const summary = await scanHosts({
      cidrs: [RANGE],
      allowedCidrs: [RANGE],
      ports: [ports.ssh, ports.http],
      timeoutMs: 400,
      concurrency: 16,
      reverseDns: false,
      onHost: (host) => void hosts.push(host),
    });
    expect(hosts).toMatchObject([
      {
        address: INSIDE,
        hostname: null,
        osHint: "debian",
        ports: [{ port: Math.min(ports.ssh, ports.http) }, { port: Math.max(ports.ssh, ports.http) }],
      },
    ]);
    const byPort = Object.fromEntries(hosts[0]!.ports.map((port) => [port.port, port]));
    expect(byPort[ports.ssh]).toMatchObject({ service: "ssh", banner: SSH_BANNER });
    expect(byPort[ports.http]).toMatchObject({
      service: "http",
      http: { title: "Namespace host", server: "test/1" },
    });
    // .1 is this side (nothing listens on those ports here: refused). Nobody answers ARP for .3 to .6: their
    // connects time out (filtered), or fail at once once the kernel has marked the neighbour failed.
    expect(summary.portStates).toMatchObject({ open: 2, closed: 2 });
    expect(summary.portStates.filtered + summary.portStates.unreachable).toBe(8);
  });
});
