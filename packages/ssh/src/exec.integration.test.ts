import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sleep } from "@opsc/testing/net";
import type { StartedSshd } from "@opsc/testing/sshd";
import { startSshd } from "@opsc/testing/sshd";
import type { SshConnection } from "./connect.ts";
import { connectSsh } from "./connect.ts";
import { SshError } from "./errors.ts";
import { execCommand } from "./exec.ts";
import { shellQuote } from "./shell-quote.ts";

let sshd: StartedSshd;
let connection: SshConnection;

async function connect(): Promise<SshConnection> {
  const user = sshd.users[0]!;
  return connectSsh({
    host: sshd.host,
    port: sshd.port,
    username: user.username,
    auth: { type: "key", privateKey: user.privateKeyPem },
    hostKey: { mode: "pin-on-first-use" },
    timeoutMs: 5_000,
  });
}

beforeAll(async () => {
  sshd = await startSshd();
  connection = await connect();
  // Hooks default to 5 s in bun:test (bunfig's timeout covers tests only); the first RSA key can take longer.
}, 30_000);
afterAll(async () => {
  await connection?.close();
  await sshd?.stop();
});

/** Live (non-zombie) processes of the test user whose name is `name`: what a cancel must leave at zero. */
function liveProcesses(name: string): { pid: number; stat: string }[] {
  const ps = Bun.spawnSync(["ps", "-u", sshd.users[0]!.username, "-o", "pid=,stat=,comm="]).stdout.toString();
  return ps
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, stat, comm]) => comm === name && !stat!.startsWith("Z"))
    .map(([pid, stat]) => ({ pid: Number(pid), stat: stat! }));
}

/** Waits until the test user has exactly `count` live processes named `name` (forks exec a moment later). */
async function waitForProcesses(name: string, count: number): Promise<void> {
  for (let i = 0; i < 100 && liveProcesses(name).length !== count; i++) await sleep(20);
  expect(liveProcesses(name)).toHaveLength(count);
}

/** Collects output and resolves `started` once stdout contains `marker`. */
function collector(marker = "") {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let markSeen: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markSeen = resolve;
  });
  return {
    stdout,
    stderr,
    started,
    text: () => Buffer.concat(stdout).toString(),
    errorText: () => Buffer.concat(stderr).toString(),
    onStdout: (chunk: Buffer) => {
      stdout.push(chunk);
      if (marker && Buffer.concat(stdout).includes(marker)) markSeen();
    },
    onStderr: (chunk: Buffer) => {
      stderr.push(chunk);
    },
  };
}

describe("execCommand output and exit status", () => {
  test("streams a large stdout in several chunks, complete and in order, with stderr apart", async () => {
    const out = collector();
    const result = await execCommand(connection, "seq 1 200000; echo done >&2; exit 3", out);
    expect(result).toEqual({ exitCode: 3, signal: null });
    expect(out.stdout.length).toBeGreaterThan(1);
    expect(out.text()).toBe(`${Array.from({ length: 200_000 }, (_, i) => i + 1).join("\n")}\n`);
    expect(out.errorText()).toBe("done\n");
  });

  test("delivers output while the command still runs", async () => {
    const startedAt = performance.now();
    let firstChunkMs = 0;
    const result = await execCommand(connection, "echo first; sleep 1; echo second", {
      onStdout: () => {
        firstChunkMs ||= performance.now() - startedAt;
      },
    });
    expect(result.exitCode).toBe(0);
    expect(firstChunkMs).toBeLessThan(800);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(1_000);
  });

  test("reports exit codes and death by signal", async () => {
    expect(await execCommand(connection, "true")).toEqual({ exitCode: 0, signal: null });
    expect(await execCommand(connection, "false")).toEqual({ exitCode: 1, signal: null });
    expect(await execCommand(connection, "exit 42")).toEqual({ exitCode: 42, signal: null });
    expect(await execCommand(connection, "kill -KILL $$")).toEqual({ exitCode: null, signal: "SIGKILL" });
  });

  test("fast commands in parallel all report their status", async () => {
    // A fast command's exit status can arrive in the same read as the exec confirmation (seen under load).
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => execCommand(connection, `exit ${round * 8 + i}`)),
      );
      expect(results.map((result) => result.exitCode)).toEqual(
        Array.from({ length: 8 }, (_, i) => round * 8 + i),
      );
    }
  });

  test("a command refused a session (the server's MaxSessions) waits for one instead of failing", async () => {
    // OpenSSH allows 10 sessions per connection: ten commands hold them, the eleventh is refused at first.
    const holders = Array.from({ length: 10 }, () => execCommand(connection, "sleep 0.5"));
    await Bun.sleep(100);
    const out = collector();
    const eleventh = await execCommand(connection, "echo ok", out);
    expect(eleventh.exitCode).toBe(0);
    expect(out.text()).toBe("ok\n");
    expect((await Promise.all(holders)).map((result) => result.exitCode)).toEqual(Array(10).fill(0));
  });

  test("shellQuote'd values reach the remote command unchanged", async () => {
    const value = `it's "quoted" $HOME \`id\` $(id) ; rm -rf / # \n*`;
    const out = collector();
    await execCommand(connection, `printf '%s' ${shellQuote(value)}`, out);
    expect(out.text()).toBe(value);
  });

  test("stdin reaches the command verbatim and is then closed", async () => {
    const input = `line one\n$(id) '; rm -rf / #\n${"x".repeat(300_000)}\n`;
    const out = collector();
    const result = await execCommand(connection, "cat; echo end", { ...out, stdin: input });
    expect(result.exitCode).toBe(0);
    expect(out.text()).toBe(`${input}end\n`);
  });

  test("a 100 MB output streams through without growing memory", async () => {
    // Sample live memory (after a forced GC) every 16 MB: holding the output would show ~100 MB here.
    Bun.gc(true);
    const baseline = process.memoryUsage();
    let bytes = 0;
    let nextSample = 0;
    let peakLiveBytes = 0;
    let peakRssBytes = 0;
    const result = await execCommand(connection, "head -c 100000000 /dev/zero", {
      onStdout: (chunk) => {
        bytes += chunk.length;
        if (bytes < nextSample) return;
        nextSample += 16_000_000;
        Bun.gc(true);
        const now = process.memoryUsage();
        const live = now.heapUsed + now.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers;
        peakLiveBytes = Math.max(peakLiveBytes, live);
        peakRssBytes = Math.max(peakRssBytes, now.rss - baseline.rss);
      },
    });
    expect(result.exitCode).toBe(0);
    expect(bytes).toBe(100_000_000);
    expect(peakLiveBytes).toBeLessThan(16_000_000);
    expect(peakRssBytes).toBeLessThan(48_000_000);
  });

  test("a handler returning a promise applies backpressure and keeps the order", async () => {
    const lines: string[] = [];
    const result = await execCommand(connection, "seq 1 20000", {
      onStdout: async (chunk) => {
        await sleep(1);
        lines.push(chunk.toString());
      },
    });
    expect(result.exitCode).toBe(0);
    expect(lines.join("").trim().split("\n")).toHaveLength(20_000);
    expect(lines.join("").endsWith("19999\n20000\n")).toBe(true);
  });
});

describe("execCommand cancellation", () => {
  const tree = "sh -c 'sleep 300 & sleep 300 & echo started; wait'";

  test("aborting kills the whole process tree with TERM", async () => {
    const out = collector("started");
    const controller = new AbortController();
    const running = execCommand(connection, tree, { ...out, signal: controller.signal });
    let abortedAt = 0;
    try {
      await out.started;
      await waitForProcesses("sleep", 2);
    } finally {
      abortedAt = performance.now();
      controller.abort();
    }
    const result = await running;
    expect(performance.now() - abortedAt).toBeLessThan(2_000);
    expect(result).toEqual({
      exitCode: null,
      signal: "SIGTERM",
      cancelled: { reason: "aborted", outcome: "terminated", survivors: [], isOutputHeldOpen: false },
    });
    expect(liveProcesses("sleep")).toEqual([]);
  });

  test("timeoutMs takes the same path; a tree ignoring TERM gets KILL after the grace period", async () => {
    const startedAt = performance.now();
    const result = await execCommand(connection, `trap '' TERM; ${tree}`, {
      timeoutMs: 500,
      killGraceMs: 300,
    });
    expect(result).toEqual({
      exitCode: null,
      signal: "SIGKILL",
      cancelled: { reason: "timeout", outcome: "killed", survivors: [], isOutputHeldOpen: false },
    });
    expect(performance.now() - startedAt).toBeLessThan(4_000);
    expect(liveProcesses("sleep")).toEqual([]);
  });

  test("cancelling more commands than the server has free sessions still kills every tree", async () => {
    // OpenSSH allows 10 sessions per connection: 9 commands leave one for 9 kill scripts, which take turns.
    const own = await connect();
    try {
      const controller = new AbortController();
      const running = Array.from({ length: 9 }, () =>
        execCommand(own, "sleep 302", { signal: controller.signal, killGraceMs: 500 }),
      );
      await waitForProcesses("sleep", 9);
      controller.abort();
      const results = await Promise.all(running);
      expect(results.map((result) => result.cancelled?.outcome)).toEqual(Array(9).fill("terminated"));
      expect(liveProcesses("sleep")).toEqual([]);
    } finally {
      await own.close();
    }
  });

  test("an already aborted signal starts nothing", async () => {
    const result = await execCommand(connection, "touch should-not-exist", { signal: AbortSignal.abort() });
    expect(result.cancelled?.outcome).toBe("not_started");
    expect((await execCommand(connection, "test -e should-not-exist")).exitCode).toBe(1);
  });

  test("a daemon that left the group is reported through isOutputHeldOpen", async () => {
    const out = collector("started");
    const controller = new AbortController();
    const running = execCommand(connection, "setsid sleep 301 & echo started; wait", {
      ...out,
      signal: controller.signal,
    });
    try {
      await out.started;
      await waitForProcesses("sleep", 1);
    } finally {
      controller.abort();
    }
    const result = await running;
    expect(result.cancelled).toMatchObject({ outcome: "terminated", isOutputHeldOpen: true });
    const escaped = liveProcesses("sleep");
    for (const { pid } of escaped) process.kill(pid, "SIGKILL");
    expect(escaped).toHaveLength(1);
  });

  test("an output handler that throws cancels the command and rejects with its error", async () => {
    const failure = new Error("disk full");
    const running = execCommand(connection, `echo started; ${tree}`, {
      onStdout: () => {
        throw failure;
      },
    });
    await expect(running).rejects.toBe(failure);
    expect(liveProcesses("sleep")).toEqual([]);
  });

  test("a connection lost mid-command rejects with a protocol SshError", async () => {
    const own = await connect();
    const out = collector("started");
    const running = execCommand(own, "echo started; sleep 5", out);
    await out.started;
    own.client.end();
    const error = await running.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).kind).toBe("protocol");
    // sshd leaves the orphaned sleep running: without a pty nothing signals it.
    await sleep(100);
    for (const { pid } of liveProcesses("sleep")) process.kill(pid, "SIGKILL");
  });
});
