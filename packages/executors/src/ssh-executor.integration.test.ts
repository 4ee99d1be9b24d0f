import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { getFreePort, sleep } from "@opsc/testing/net";
import type { StartedSshd } from "@opsc/testing/sshd";
import { startSshd } from "@opsc/testing/sshd";
import { parseVaultKeys, seal } from "@opsc/vault";
import type { ExecuteRequest } from "./executor.ts";
import { SshExecutor } from "./ssh-executor.ts";
import {
  collectOutput,
  makeRequest,
  makeTarget,
  memorySampler,
  processesOfTask,
  waitForTaskProcesses,
} from "./test-support/tasks.ts";

const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 9).toString("base64")}`);
let sshd: StartedSshd;
let executor: SshExecutor;

beforeAll(async () => {
  sshd = await startSshd();
  executor = new SshExecutor({ vault, connectTimeoutMs: 5_000 });
}, 60_000);
afterAll(async () => {
  await executor?.close();
  await sshd?.stop();
});

const user = () => sshd.users[0]!;
const sealed = (id: string, secret: Record<string, unknown>) => ({
  id,
  kind: String(secret.kind),
  username: typeof secret.username === "string" ? secret.username : null,
  headerName: null,
  sealed: seal(vault, JSON.stringify(secret), id),
});
// Sealed once, as the targets service does: sealing again (a fresh IV) is a new pool key, hence a new connection.
let sealedKey: ReturnType<typeof sealed> | undefined;
let sealedPassword: ReturnType<typeof sealed> | undefined;
const keyCredential = () =>
  (sealedKey ??= sealed("cred-key", {
    kind: "ssh_key",
    username: user().username,
    privateKey: user().privateKeyPem,
  }));
const passwordCredential = () =>
  (sealedPassword ??= sealed("cred-password", {
    kind: "ssh_password",
    username: user().username,
    password: user().password,
  }));

function sshRequest(overrides: Partial<ExecuteRequest> = {}): ExecuteRequest {
  return makeRequest({
    target: makeTarget({ address: sshd.host, port: sshd.port, credential: keyCredential() }),
    ...overrides,
  });
}

const command = (text: string, shell: "sh" | "bash" | "python3" = "sh") =>
  ({ type: "command", command: text, shell }) as const;
const acceptedLogins = () => (sshd.readLog().match(/Accepted (publickey|password)/g) ?? []).length;

describe("SshExecutor: running", () => {
  test("runs a command: output, exit code, OPSC_ variables, the host key seen, the secrets registered", async () => {
    const out = collectOutput();
    const registered: string[] = [];
    const request = sshRequest({
      action: command(
        'echo "$OPSC_RUN_ID $OPSC_TASK_ID $OPSC_TARGET_NAME $OPSC_TARGET_ADDRESS $(whoami)"; echo warn >&2; exit 4',
      ),
      onOutput: out.onOutput,
    });
    const result = await executor.execute(request, (values) => registered.push(...values));
    expect(result).toMatchObject({ status: "failed", exitCode: 4, signal: null, error: null, cancel: null });
    expect(out.text()).toBe(
      `${request.runId} ${request.taskId} test-target ${sshd.host} ${user().username}\n`,
    );
    expect(out.text("stderr")).toBe("warn\n");
    expect(result.observedHostKey).toEqual({
      algorithm: "ssh-ed25519",
      fingerprintSha256: sshd.hostKeys.ed25519.fingerprintSha256,
    });
    expect(registered).toContain(user().privateKeyPem);
  });

  test("environment values arrive verbatim and never appear in a command line", async () => {
    const values = { INJECT: `'; rm -rf / #`, SUBST: "$(id)", TICKS: "`id`", LINES: "a\nb\r\n" };
    const out = collectOutput();
    const request = sshRequest({
      action: command('printf "%s|" "$INJECT" "$SUBST" "$TICKS" "$LINES"; echo; sleep 30'),
      env: values,
      onOutput: out.onOutput,
    });
    const controller = new AbortController();
    const running = executor.execute({ ...request, signal: controller.signal }, () => {});
    try {
      await out.waitFor("\n");
      await waitForTaskProcesses(request.taskId, "sleep", 1);
      const commandLines = processesOfTask(request.taskId).map(({ pid }) =>
        readFileSync(`/proc/${pid}/cmdline`, "utf8"),
      );
      expect(commandLines.length).toBeGreaterThan(0);
      for (const line of commandLines) expect(line).not.toMatch(/rm -rf|\$\(id\)|`id`/);
    } finally {
      controller.abort();
    }
    expect((await running).status).toBe("cancelled");
    expect(out.text()).toBe(`${Object.values(values).join("|")}|\n`);
  });

  test("a script goes through stdin, and reads an empty stdin itself; bash and python3 too", async () => {
    const out = collectOutput();
    const script = `${"# filler line to make the script large\n".repeat(5_000)}cat; echo "script done $BASH_VERSINFO"\n`;
    const result = await executor.execute(
      sshRequest({ action: { type: "script", script, shell: "bash" }, onOutput: out.onOutput }),
      () => {},
    );
    expect(result.status).toBe("succeeded");
    expect(out.text()).toMatch(/^script done \d+\n$/);
    const python = collectOutput();
    const pythonResult = await executor.execute(
      sshRequest({
        action: {
          type: "script",
          script: "import os\nprint('py', os.environ['OPSC_TARGET_NAME'])",
          shell: "python3",
        },
        onOutput: python.onOutput,
      }),
      () => {},
    );
    expect(pythonResult.status).toBe("succeeded");
    expect(python.text()).toBe("py test-target\n");
  });

  test("a password credential logs in too", async () => {
    const out = collectOutput();
    const result = await executor.execute(
      sshRequest({
        target: makeTarget({ address: sshd.host, port: sshd.port, credential: passwordCredential() }),
        action: command("whoami"),
        onOutput: out.onOutput,
      }),
      () => {},
    );
    expect(result.status).toBe("succeeded");
    expect(out.text()).toBe(`${user().username}\n`);
  });
});

describe("SshExecutor: connections", () => {
  test("tasks share one connection, at most 8 commands at once on it, the rest queued", async () => {
    const own = new SshExecutor({ vault, connectTimeoutMs: 5_000 });
    try {
      const before = acceptedLogins();
      let peakActive = 0;
      let peakWaiting = 0;
      const sampler = setInterval(() => {
        const stats = own.pool.stats();
        peakActive = Math.max(peakActive, stats.activeChannels);
        peakWaiting = Math.max(peakWaiting, stats.waiting);
      }, 5);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => own.execute(sshRequest({ action: command("sleep 0.2") }), () => {})),
      );
      clearInterval(sampler);
      expect(results.filter((result) => result.status !== "succeeded")).toEqual([]);
      // Sampled every 5 ms: the sampler may miss the instant all 8 were busy on a loaded machine, never a 9th.
      expect(peakActive).toBeLessThanOrEqual(8);
      expect(peakActive).toBeGreaterThan(1);
      expect(peakWaiting).toBeGreaterThan(0);
      expect(acceptedLogins() - before).toBe(1);
      expect(own.pool.stats()).toEqual({ connections: 1, activeChannels: 0, waiting: 0 });
    } finally {
      await own.close();
    }
  });

  test("a rotated credential (a new sealed value) gets its own connection", async () => {
    const own = new SshExecutor({ vault, connectTimeoutMs: 5_000 });
    try {
      const resealed = {
        ...keyCredential(),
        sealed: seal(
          vault,
          JSON.stringify({ kind: "ssh_key", username: user().username, privateKey: user().privateKeyPem }),
          "cred-key",
        ),
      };
      await own.execute(sshRequest(), () => {});
      await own.execute(
        sshRequest({ target: makeTarget({ address: sshd.host, port: sshd.port, credential: resealed }) }),
        () => {},
      );
      expect(own.pool.stats().connections).toBe(2);
    } finally {
      await own.close();
    }
  });

  test("a broken connection is dropped and the next task reconnects", async () => {
    const own = new SshExecutor({ vault, connectTimeoutMs: 5_000 });
    try {
      expect((await own.execute(sshRequest(), () => {})).status).toBe("succeeded");
      const before = acceptedLogins();
      // The server side of the session goes away (as when sshd restarts): kill the user's sshd process.
      const ps = Bun.spawnSync(["ps", "-u", user().username, "-o", "pid=,comm="]).stdout.toString();
      for (const line of ps.split("\n")) {
        const [pid, comm] = line.trim().split(/\s+/);
        if (comm === "sshd") process.kill(Number(pid), "SIGKILL");
      }
      for (let i = 0; i < 100 && own.pool.stats().connections > 0; i++) await sleep(20);
      const result = await own.execute(sshRequest({ action: command("echo again") }), () => {});
      expect(result.status).toBe("succeeded");
      expect(acceptedLogins() - before).toBe(1);
    } finally {
      await own.close();
    }
  });

  test("a pinned host key is enforced; a wrong pin refuses before any credential is sent", async () => {
    const pinned = { algorithm: "ssh-ed25519", fingerprintSha256: sshd.hostKeys.ed25519.fingerprintSha256 };
    const target = (expectedHostKey: typeof pinned) =>
      makeTarget({ address: sshd.host, port: sshd.port, credential: keyCredential(), expectedHostKey });
    const ok = await executor.execute(sshRequest({ target: target(pinned) }), () => {});
    expect(ok).toMatchObject({ status: "succeeded", observedHostKey: pinned });
    const logins = acceptedLogins();
    const wrongPin = {
      algorithm: "ssh-ed25519",
      fingerprintSha256: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    const refused = await executor.execute(sshRequest({ target: target(wrongPin) }), () => {});
    expect(refused).toMatchObject({
      status: "failed",
      error: { kind: "host_key_mismatch" },
      observedHostKey: null,
    });
    expect(acceptedLogins()).toBe(logins);
  });

  test("connection failures: wrong password (auth, no secret in the message), nothing listening, no credential", async () => {
    const wrong = sealed("cred-wrong", {
      kind: "ssh_password",
      username: user().username,
      password: "not-the-pw-1234",
    });
    const auth = await executor.execute(
      sshRequest({ target: makeTarget({ address: sshd.host, port: sshd.port, credential: wrong }) }),
      () => {},
    );
    expect(auth).toMatchObject({ status: "failed", error: { kind: "auth" } });
    expect(auth.error?.message).not.toContain("not-the-pw-1234");
    expect(auth.observedHostKey?.fingerprintSha256).toBe(sshd.hostKeys.ed25519.fingerprintSha256);

    const port = await getFreePort();
    const refused = await executor.execute(
      sshRequest({ target: makeTarget({ address: sshd.host, port, credential: keyCredential() }) }),
      () => {},
    );
    expect(refused).toMatchObject({ status: "failed", error: { kind: "refused" } });

    const none = await executor.execute(
      sshRequest({ target: makeTarget({ port: sshd.port, credential: null }) }),
      () => {},
    );
    expect(none).toMatchObject({ status: "failed", error: { kind: "no_credential" } });
    const bearer = sealed("cred-bearer", { kind: "http_bearer", token: "tok-0000-1111" });
    const wrongKind = await executor.execute(
      sshRequest({ target: makeTarget({ port: sshd.port, credential: bearer }) }),
      () => {},
    );
    expect(wrongKind).toMatchObject({ status: "failed", error: { kind: "credential" } });
  });
});

describe("SshExecutor: cancel, timeout, output", () => {
  test("cancel kills the whole remote tree (sleep 1000 & sleep 1000): no process of it survives", async () => {
    const out = collectOutput();
    const controller = new AbortController();
    const request = sshRequest({
      action: command("echo started; sleep 1000 & sleep 1000"),
      signal: controller.signal,
      onOutput: out.onOutput,
    });
    const running = executor.execute(request, () => {});
    try {
      await out.waitFor("started");
      await waitForTaskProcesses(request.taskId, "sleep", 2);
    } finally {
      controller.abort();
    }
    const result = await running;
    expect(result).toMatchObject({
      status: "cancelled",
      signal: "SIGTERM",
      error: null,
      cancel: { outcome: "terminated", survivors: [], outputHeldOpen: false },
    });
    // The sshd host is this machine: look for any process that carries the task's id.
    expect(processesOfTask(request.taskId)).toEqual([]);
  });

  test("a timeout ends a tree that ignores TERM with KILL after the grace period", async () => {
    const request = sshRequest({
      action: command("trap '' TERM; sleep 1000 & sleep 1000"),
      timeoutMs: 1_000,
      killGraceMs: 300,
    });
    const result = await executor.execute(request, () => {});
    expect(result).toMatchObject({
      status: "timed_out",
      signal: "SIGKILL",
      error: { kind: "timeout" },
      cancel: { outcome: "killed", survivors: [] },
    });
    expect(processesOfTask(request.taskId)).toEqual([]);
  });

  test("8 tasks on one connection cancelled at once: every tree is killed", async () => {
    const controller = new AbortController();
    const requests = Array.from({ length: 8 }, () =>
      sshRequest({ action: command("sleep 1000 & sleep 1000"), signal: controller.signal }),
    );
    const running = requests.map((request) => executor.execute(request, () => {}));
    for (const request of requests) await waitForTaskProcesses(request.taskId, "sleep", 2);
    controller.abort();
    const results = await Promise.all(running);
    expect(results.map((result) => result.cancel?.outcome)).toEqual(Array(8).fill("terminated"));
    for (const request of requests) expect(processesOfTask(request.taskId)).toEqual([]);
  });

  test("100 MB of output streams through without growing memory beyond a bounded buffer", async () => {
    const memory = memorySampler();
    const result = await executor.execute(
      sshRequest({
        action: command("head -c 100000000 /dev/zero | base64 -w 0"),
        timeoutMs: 120_000,
        onOutput: (_stream, chunk) => memory.sample(chunk.length),
      }),
      () => {},
    );
    expect(result.status).toBe("succeeded");
    expect(memory.bytes).toBe(133_333_336);
    expect(memory.peakGrowthBytes).toBeLessThan(64_000_000);
  });

  test("a promise from onOutput applies backpressure; an output handler that fails stops the task", async () => {
    const chunks: string[] = [];
    const result = await executor.execute(
      sshRequest({
        action: command("seq 1 30000"),
        onOutput: async (_stream, chunk) => {
          await sleep(1);
          chunks.push(chunk.toString());
        },
      }),
      () => {},
    );
    expect(result.status).toBe("succeeded");
    expect(chunks.join("")).toBe(`${Array.from({ length: 30_000 }, (_, i) => i + 1).join("\n")}\n`);

    const request = sshRequest({
      action: command("echo started; sleep 1000 & sleep 1000"),
      onOutput: async () => {
        throw new Error("log stream unavailable");
      },
    });
    const failed = await executor.execute(request, () => {});
    expect(failed).toMatchObject({
      status: "failed",
      error: { kind: "output_failed" },
      cancel: { outcome: "terminated" },
    });
    expect(processesOfTask(request.taskId)).toEqual([]);
  });
});

describe("SshExecutor: sudo", () => {
  // The harness's users have no sudoers rule (and this machine may lack sudo), so the privileged run itself
  // is not tested here; shell-program.test.ts covers the stdin protocol. What must hold everywhere: the
  // password is never echoed, and nothing runs unprivileged in its place.
  test("the password never shows in the output, and nothing runs without sudo", async () => {
    const out = collectOutput();
    const registered: string[] = [];
    const result = await executor.execute(
      sshRequest({
        target: makeTarget({ address: sshd.host, port: sshd.port, credential: passwordCredential() }),
        action: command('echo "ran-as-$(id -u)"'),
        sudo: true,
        onOutput: out.onOutput,
      }),
      (values) => registered.push(...values),
    );
    expect(registered).toContain(user().password);
    const all = out.text() + out.text("stderr");
    expect(all).not.toContain(user().password);
    expect(all).not.toMatch(/ran-as-[1-9]/);
    expect(result.status).toBe("failed");
  });

  test("a sudo credential of the wrong kind is refused before connecting", async () => {
    const result = await executor.execute(
      sshRequest({
        target: makeTarget({
          address: sshd.host,
          port: sshd.port,
          credential: keyCredential(),
          sudoCredential: sealed("cred-sudo", { kind: "http_bearer", token: "tok-sudo-9999" }),
        }),
        sudo: true,
      }),
      () => {},
    );
    expect(result).toMatchObject({ status: "failed", error: { kind: "credential" } });
  });
});
