/**
 * The execution path end to end in one process: the API (through each app's HTTP handling), PostgreSQL, the task
 * streams and reports in Redis, the report ingester and reconciler, and a real execution worker running real
 * executors (no-op, local processes, and SSH against an OpenSSH server on a loopback port). Nothing leaves 127.0.0.0/8.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyReports, ReportIngester } from "@opsc/execution/ingest/ingester";
import { Reconciler } from "@opsc/execution/ingest/reconciler";
import { createExecutionWorkerForTests } from "@opsc/execution-worker/test-support";
import type { ExecutionWorker } from "@opsc/execution-worker/worker";
import { deleteKeysWithPrefix, type StartedSshd, startSshd } from "@opsc/testing";
import { rejection } from "../support/errors.ts";
import { createHttpTargets, createSshTarget, streamEvents, waitForRun } from "../support/execution.ts";
import { startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let worker: ExecutionWorker;
let sshd: StartedSshd;
let replacementIngester: ReportIngester | undefined;
const execution = () => system.admin.client.execution;
const httpTargets = (prefix: string, count: number) => createHttpTargets(system, prefix, count);
const sshTarget = (name: string) => createSshTarget(system, sshd, name);
const finished = (id: string, timeoutMs?: number) => waitForRun(execution(), id, timeoutMs);
const events = (type: string) => streamEvents(system, type);

beforeAll(async () => {
  system = await startSystem({ reconcileIntervalMs: 200 });
  // Its user may use sudo (with their password), for the sudo tests.
  sshd = await startSshd({ sudo: true });
  worker = createExecutionWorkerForTests({
    redis: system.redis.redis,
    prefix: system.redis.prefix,
    vaultKeys: system.vaultKeys,
    localEnabled: true,
  });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await replacementIngester?.stop();
  await worker?.stop({ timeoutMs: 5_000 });
  await sshd?.stop();
  await system?.stop();
});

async function fullLog(runId: string) {
  const items: { taskId: string; stream: string; text: string }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await execution().logs.read.query({ runId, ...(after ? { after } : {}), limit: 1000 });
    items.push(...page.items);
    if (page.items.length === 0) return items;
    after = page.nextOffset ?? undefined;
  }
}

describe("ad-hoc runs", () => {
  test("a no-op run over 50 targets: one transaction, every task once, counters, events, audit", async () => {
    await httpTargets("noop", 50);
    const { run, created } = await execution().runs.start.mutate({
      action: { type: "noop" },
      targets: { selector: "suite=noop" },
    });
    expect(created).toBe(true);
    expect(run.counts.total).toBe(50);
    const done = await finished(run.id);
    expect(done).toMatchObject({
      state: "succeeded",
      counts: { total: 50, succeeded: 50, queued: 0, running: 0 },
    });
    const tasks = await execution().tasks.list.query({ runId: run.id, limit: 100 });
    expect(tasks.items).toHaveLength(50);
    expect(new Set(tasks.items.map((task) => task.state))).toEqual(new Set(["succeeded"]));
    expect(tasks.items.every((task) => task.workerId === worker.workerId)).toBe(true);
    // Events and the audit record go out through the outbox relay (drained by hand in this composition).
    for (const relay of system.relays) await relay.drain();
    const runFinished = (await events("run.finished")).find((event) => event.payload.runId === run.id);
    expect(runFinished?.payload).toMatchObject({ state: "succeeded", counts: { succeeded: 50 } });
    expect((await events("run.started")).some((event) => event.payload.runId === run.id)).toBe(true);
    const audit = await system.executionDb
      .selectFrom("audit_outbox")
      .selectAll()
      .where("resource_id", "=", run.id)
      .execute();
    expect(audit.map((row) => row.action)).toEqual(["run.start"]);
    expect(audit[0]!.actor_id).toBe(system.admin.id);
  });

  test("an idempotency key returns the first run instead of starting another", async () => {
    const [id] = await httpTargets("idem", 1);
    const input = { action: { type: "noop" as const }, targets: { ids: [id!] }, idempotencyKey: "deploy-42" };
    const first = await execution().runs.start.mutate(input);
    const second = await execution().runs.start.mutate(input);
    expect(second).toMatchObject({ created: false, run: { id: first.run.id } });
  });

  test("bad input is refused naming the field, and nothing is written", async () => {
    const before = await system.executionDb.selectFrom("runs").select("id").execute();
    const both = await rejection(
      execution().runs.start.mutate({
        action: { type: "noop" },
        targets: { selector: "suite=noop", ids: [crypto.randomUUID()] },
      }),
    );
    expect(both.code).toBe("BAD_REQUEST");
    const unknown = await rejection(
      execution().runs.start.mutate({ action: { type: "noop" }, targets: { ids: [crypto.randomUUID()] } }),
    );
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.fields["targets.ids"]).toContain("Unknown targets");
    const selector = await rejection(
      execution().runs.start.mutate({ action: { type: "noop" }, targets: { selector: "role in (" } }),
    );
    expect(selector.code).toBe("BAD_REQUEST");
    expect(selector.fields["targets.selector"]).toBeDefined();
    const wrongKind = await rejection(
      execution().runs.start.mutate({
        action: { type: "command", command: "uptime" },
        targets: { selector: "suite=noop" },
      }),
    );
    expect(wrongKind.code).toBe("BAD_REQUEST");
    expect(wrongKind.message).toContain("a command or script runs on ssh targets");
    const env = await rejection(
      execution().runs.start.mutate({
        action: { type: "noop" },
        targets: { selector: "suite=noop" },
        env: { "1BAD": "x" },
      }),
    );
    expect(env.code).toBe("BAD_REQUEST");
    expect(await system.executionDb.selectFrom("runs").select("id").execute()).toHaveLength(before.length);
  });

  test("runs list: by target, by state, by creator, newest first, paged by cursor", async () => {
    const [hostA, hostB] = await httpTargets("history", 2);
    const started: string[] = [];
    for (let index = 0; index < 5; index++) {
      const { run } = await execution().runs.start.mutate({
        action: { type: "noop" },
        targets: { ids: index % 2 === 0 ? [hostA!, hostB!] : [hostB!] },
      });
      started.push(run.id);
      await finished(run.id);
    }
    const onA = [started[4]!, started[2]!, started[0]!];
    const first = await execution().runs.list.query({ targetId: hostA!, limit: 2 });
    expect(first.items.map((run) => run.id)).toEqual(onA.slice(0, 2));
    const second = await execution().runs.list.query({
      targetId: hostA!,
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((run) => run.id)).toEqual(onA.slice(2));
    expect(second.nextCursor).toBeNull();
    const onB = await execution().runs.list.query({ targetId: hostB!, state: "succeeded", limit: 10 });
    expect(onB.items.map((run) => run.id)).toEqual([...started].reverse());
    const mine = await execution().runs.list.query({ createdBy: system.admin.id, limit: 3 });
    expect(mine.items[0]!.id).toBe(started[4]!);
    expect(
      (await execution().runs.list.query({ createdBy: "nobody", targetId: hostA!, limit: 10 })).items,
    ).toEqual([]);
  });

  test("a viewer may read runs but not start one", async () => {
    const viewer = await system.createUser("viewer");
    expect((await viewer.client.execution.runs.list.query({})).items.length).toBeGreaterThan(0);
    const refused = await rejection(
      viewer.client.execution.runs.start.mutate({
        action: { type: "noop" },
        targets: { selector: "suite=noop" },
      }),
    );
    expect(refused.code).toBe("FORBIDDEN");
  });
});

describe("fan-out, failure threshold, logs, cancel and retry (local commands on the worker host)", () => {
  test("the fan-out width bounds how many tasks of a run run at once", async () => {
    await httpTargets("fan", 6);
    const { run } = await execution().runs.start.mutate({
      action: { type: "noop", sleepMs: 150 },
      targets: { selector: "suite=fan" },
      fanOut: 2,
    });
    const done = await finished(run.id);
    expect(done.counts.succeeded).toBe(6);
    const tasks = (await execution().tasks.list.query({ runId: run.id })).items;
    const intervals = tasks.map(
      (task) => [Date.parse(task.startedAt!), Date.parse(task.finishedAt!)] as const,
    );
    const overlapAt = (time: number) =>
      intervals.filter(([start, end]) => start <= time && time < end).length;
    expect(Math.max(...intervals.map(([start]) => overlapAt(start)))).toBeLessThanOrEqual(2);
  });

  test("stdout and stderr reach the log in order, with the exit status; the failure threshold stops the run", async () => {
    await httpTargets("fail", 5);
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: 'echo "out $GREETING"; echo err >&2; exit 3' },
      runOn: "local",
      env: { GREETING: "hello; $(id) '\"" },
      targets: { selector: "suite=fail" },
      fanOut: 1,
      failureThreshold: { count: 2 },
    });
    const done = await finished(run.id);
    expect(done).toMatchObject({ state: "failed", counts: { failed: 2, skipped: 3, succeeded: 0 } });
    expect(done.stopReason).toContain("failure threshold");
    const failed = (await execution().tasks.list.query({ runId: run.id, state: "failed" })).items;
    expect(failed.map((task) => task.exitCode)).toEqual([3, 3]);
    const log = await fullLog(run.id);
    const first = log.filter((chunk) => chunk.taskId === failed[0]!.id);
    expect(first.map((chunk) => [chunk.stream, chunk.text])).toEqual([
      ["stdout", "out hello; $(id) '\"\n"],
      ["stderr", "err\n"],
      ["system", "exit code 3\n"],
    ]);
    // One task.failed event per failure.
    for (const relay of system.relays) await relay.drain();
    expect((await events("task.failed")).filter((event) => event.payload.runId === run.id)).toHaveLength(2);
  });

  test("the live tail follows a running task and ends with the run; it matches the persisted log", async () => {
    const [id] = await httpTargets("tail", 1);
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: "for i in 1 2 3 4 5; do echo tick-$i; sleep 0.1; done" },
      runOn: "local",
      targets: { ids: [id!] },
    });
    const received: { offset: string; text: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = execution().logs.tail.subscribe(
        { runId: run.id },
        {
          onData: (event) => received.push({ offset: event.id, text: event.data.text }),
          onError: (error) => {
            subscription.unsubscribe();
            reject(error);
          },
          onComplete: () => resolve(),
          onStopped: () => resolve(),
        },
      );
      // The stream ends by itself when the run is over; the tail must not outlive it.
      setTimeout(() => {
        subscription.unsubscribe();
        reject(new Error(`the tail did not end; received ${JSON.stringify(received)}`));
      }, 15_000);
    });
    const persisted = await fullLog(run.id);
    expect(received.map((chunk) => chunk.text).join("")).toBe(persisted.map((chunk) => chunk.text).join(""));
    expect(persisted.map((chunk) => chunk.text).join("")).toBe("tick-1\ntick-2\ntick-3\ntick-4\ntick-5\n");
    // Offsets increase, so a reconnect resumes exactly.
    const offsets = received.map((chunk) => chunk.offset.split("-").map(Number) as [number, number]);
    for (let index = 1; index < offsets.length; index++) {
      const [ms, seq] = offsets[index]!;
      const [previousMs, previousSeq] = offsets[index - 1]!;
      expect(ms > previousMs || (ms === previousMs && seq > previousSeq)).toBe(true);
    }
  });

  test("cancelling one task kills only that task; the others run on", async () => {
    const ids = await httpTargets("one-task", 2);
    const { run } = await execution().runs.start.mutate({
      action: {
        type: "command",
        command: 'if [ "$OPSC_TARGET_NAME" = one-task-0 ]; then sleep 1000; else sleep 0.5; fi',
      },
      runOn: "local",
      targets: { ids },
    });
    const deadline = Date.now() + 10_000;
    while ((await execution().runs.get.query({ id: run.id })).counts.running < 2) {
      if (Date.now() > deadline) throw new Error("the tasks never started");
      await Bun.sleep(25);
    }
    const [slow] = (await execution().tasks.list.query({ runId: run.id, search: "one-task-0" })).items;
    await execution().tasks.cancel.mutate({ id: slow!.id });
    const done = await finished(run.id);
    expect(done.counts).toMatchObject({ cancelled: 1, succeeded: 1 });
    // A cancelled task is not the run's cancel: the run did not do everything it was asked to, so it failed.
    expect(done.state).toBe("failed");
    const after = await execution().tasks.get.query({ id: slow!.id });
    expect(after.state).toBe("cancelled");
    expect(after.cancel?.survivors).toEqual([]);
  });

  test("a report delivered twice changes nothing the second time", async () => {
    const [id] = await httpTargets("twice", 1);
    const { run } = await execution().runs.start.mutate({
      action: { type: "noop" },
      targets: { ids: [id!] },
    });
    const done = await finished(run.id);
    const [task] = (await execution().tasks.list.query({ runId: run.id })).items;
    const report = {
      type: "finished" as const,
      runId: run.id,
      taskId: task!.id,
      attempt: 1,
      workerId: "someone-else",
      at: Date.now(),
      startedAt: Date.now(),
      status: "failed" as const,
      exitCode: 1,
      error: null,
      cancel: null,
      observedHostKey: null,
      outputBytes: 0,
    };
    await applyReports(system.executionDeps, { logs: [], started: [], finished: [report, report] });
    expect(await execution().runs.get.query({ id: run.id })).toEqual(done);
    expect((await execution().tasks.get.query({ id: task!.id })).state).toBe("succeeded");
  });

  test("cancel kills the whole local process tree and reports no survivor; the run ends cancelled", async () => {
    const [id] = await httpTargets("cancel", 1);
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: "sleep 1000 & sleep 1000; wait" },
      runOn: "local",
      targets: { ids: [id!] },
    });
    const deadline = Date.now() + 10_000;
    while ((await execution().runs.get.query({ id: run.id })).counts.running === 0) {
      if (Date.now() > deadline) throw new Error("the task never started");
      await Bun.sleep(25);
    }
    await Bun.sleep(200);
    await execution().runs.cancel.mutate({ id: run.id });
    const done = await finished(run.id);
    expect(done).toMatchObject({ state: "cancelled", counts: { cancelled: 1 } });
    const [task] = (await execution().tasks.list.query({ runId: run.id })).items;
    expect(task!.cancel).toMatchObject({ survivors: [] });
    expect(["terminated", "killed"]).toContain(task!.cancel!.outcome);
    const audit = await system.executionDb
      .selectFrom("audit_outbox")
      .select("action")
      .where("resource_id", "=", run.id)
      .execute();
    expect(audit.map((row) => row.action)).toContain("run.cancel");
  });

  test("retry runs only the failed targets again, as a new run linked to the first", async () => {
    const ids = await httpTargets("retry", 3);
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: 'test "$OPSC_TARGET_NAME" != retry-1' },
      runOn: "local",
      targets: { ids },
    });
    const done = await finished(run.id);
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 1 });
    const retried = await execution().runs.retry.mutate({ id: run.id });
    expect(retried.run).toMatchObject({ retryOf: run.id, counts: { total: 1 } });
    const tasks = (await execution().tasks.list.query({ runId: retried.run.id })).items;
    expect(tasks.map((task) => task.targetName)).toEqual(["retry-1"]);
  });
});

describe("routing and mutual exclusion", () => {
  test("a run for a worker group waits for a worker of that group, which then takes all its tasks", async () => {
    await httpTargets("group", 3);
    const { run } = await execution().runs.start.mutate({
      action: { type: "noop" },
      targets: { selector: "suite=group" },
      workerGroup: "edge-eu",
    });
    await Bun.sleep(500);
    expect((await execution().runs.get.query({ id: run.id })).counts.queued).toBe(3);
    const edge = createExecutionWorkerForTests({
      redis: system.redis.redis,
      prefix: system.redis.prefix,
      vaultKeys: system.vaultKeys,
      groups: ["edge-eu"],
      workerId: "edge-eu-worker",
    });
    await edge.start();
    try {
      const done = await finished(run.id);
      expect(done.counts.succeeded).toBe(3);
      const tasks = (await execution().tasks.list.query({ runId: run.id })).items;
      expect(new Set(tasks.map((task) => task.workerId))).toEqual(new Set(["edge-eu-worker"]));
    } finally {
      await edge.stop({ timeoutMs: 2_000 });
    }
  });

  test("exclusive runs never run two tasks on one target at once", async () => {
    const [id] = await httpTargets("exclusive", 1);
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        execution().runs.start.mutate({
          action: { type: "noop", sleepMs: 200 },
          targets: { ids: [id!] },
          exclusive: true,
        }),
      ),
    );
    const intervals: [number, number][] = [];
    for (const { run } of runs) {
      expect((await finished(run.id)).state).toBe("succeeded");
      const [task] = (await execution().tasks.list.query({ runId: run.id })).items;
      intervals.push([Date.parse(task!.startedAt!), Date.parse(task!.finishedAt!)]);
    }
    intervals.sort((a, b) => a[0] - b[0]);
    for (let index = 1; index < intervals.length; index++)
      expect(intervals[index]![0]).toBeGreaterThanOrEqual(intervals[index - 1]![1]);
  });
});

describe("SSH", () => {
  test("a command over real SSH: environment verbatim, host key pinned on first use", async () => {
    const target = await sshTarget("ssh-one");
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: 'printf "%s|" "$TRICKY" "$OPSC_TARGET_NAME"; uname -s' },
      env: { TRICKY: "'; rm -rf / # $(id) `id`" },
      targets: { ids: [target.id] },
    });
    const done = await finished(run.id);
    expect(done.state).toBe("succeeded");
    const text = (await fullLog(run.id)).map((chunk) => chunk.text).join("");
    expect(text).toBe("'; rm -rf / # $(id) `id`|ssh-one|Linux\n");
    const pinned = await system.admin.client.targets.get.query({ id: target.id });
    expect(pinned.hostKey?.fingerprintSha256).toBe(sshd.hostKeys.ed25519.fingerprintSha256);
  });
});

describe("SSH secrets", () => {
  test("a credential's secret printed by a command is redacted before it is stored or shown", async () => {
    const user = sshd.users[0]!;
    const credential = await system.admin.client.targets.credentials.create.mutate({
      name: "ssh-password-secret",
      secret: { kind: "ssh_password", username: user.username, password: user.password },
    });
    const target = await system.admin.client.targets.create.mutate({
      name: "ssh-secret",
      address: "127.0.0.1",
      port: sshd.port,
      kind: "ssh",
      credentialId: credential.id,
    });
    // The command knows the password (as a careless script might) and prints it, split over two writes.
    const half = Math.floor(user.password.length / 2);
    const { run } = await execution().runs.start.mutate({
      action: {
        type: "command",
        command: `printf 'pw=%s' '${user.password.slice(0, half)}'; sleep 0.2; printf '%s\\n' '${user.password.slice(half)}'`,
      },
      targets: { ids: [target.id] },
    });
    expect((await finished(run.id)).state).toBe("succeeded");
    const text = (await fullLog(run.id)).map((chunk) => chunk.text).join("");
    expect(text).toBe("pw=[redacted]\n");
    const rows = await system.executionDb
      .selectFrom("log_chunks")
      .select("data")
      .where("run_id", "=", run.id)
      .execute();
    expect(JSON.stringify(rows)).not.toContain(user.password);
  });
});

describe("SSH sudo", () => {
  async function sudoTarget(name: string, sudoPassword: string) {
    const user = sshd.users[0]!;
    const key = await system.admin.client.targets.credentials.create.mutate({
      name: `${name}-key`,
      secret: { kind: "ssh_key", username: user.username, privateKey: user.privateKeyPem },
    });
    const sudo = await system.admin.client.targets.credentials.create.mutate({
      name: `${name}-sudo`,
      secret: { kind: "sudo_password", password: sudoPassword },
    });
    return system.admin.client.targets.create.mutate({
      name,
      address: "127.0.0.1",
      port: sshd.port,
      kind: "ssh",
      credentialId: key.id,
      sudoCredentialId: sudo.id,
    });
  }

  test("sudo with the target's sudo password runs the command as root, with the run's environment", async () => {
    const target = await sudoTarget("sudo-ok", sshd.users[0]!.password);
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: 'echo "$(id -u) $GREETING"' },
      env: { GREETING: "as root" },
      sudo: true,
      targets: { ids: [target.id] },
    });
    expect((await finished(run.id)).state).toBe("succeeded");
    expect((await fullLog(run.id)).map((chunk) => chunk.text).join("")).toBe("0 as root\n");
  });

  test("a wrong sudo password fails the task; nothing runs, and the password is not shown", async () => {
    const wrong = "not-the-password-123";
    const target = await sudoTarget("sudo-wrong", wrong);
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: "echo ran-as-$(id -u)" },
      sudo: true,
      targets: { ids: [target.id] },
    });
    expect((await finished(run.id)).state).toBe("failed");
    const text = (await fullLog(run.id)).map((chunk) => chunk.text).join("");
    expect(text).not.toContain("ran-as-");
    expect(text).not.toContain(wrong);
  });
});

describe("SSH cancel", () => {
  test("cancelling kills the remote process tree: no process of it survives on the target", async () => {
    const target = await sshTarget("ssh-cancel");
    // A duration no other process on this machine uses, to find the tree on the target (this machine's sshd).
    const marker = `${800_000 + Math.floor(Math.random() * 100_000)}`;
    const { run } = await execution().runs.start.mutate({
      action: { type: "command", command: `sleep ${marker} & sleep ${marker}; wait` },
      targets: { ids: [target.id] },
    });
    const alive = () =>
      Bun.spawnSync(["pgrep", "-f", `sleep ${marker}`])
        .stdout.toString()
        .trim();
    const deadline = Date.now() + 10_000;
    while (alive().split("\n").filter(Boolean).length < 2) {
      if (Date.now() > deadline) throw new Error("the remote processes never started");
      await Bun.sleep(25);
    }
    await execution().runs.cancel.mutate({ id: run.id });
    const done = await finished(run.id);
    expect(done.state).toBe("cancelled");
    const [task] = (await execution().tasks.list.query({ runId: run.id })).items;
    expect(task!.cancel).toMatchObject({ survivors: [] });
    expect(["terminated", "killed"]).toContain(task!.cancel!.outcome);
    expect(alive()).toBe("");
  });
});

describe("recovery", () => {
  test("a new reconciler leader does not re-enqueue finished tasks whose reports are not applied yet", async () => {
    const folder = mkdtempSync(join(tmpdir(), "opsc-once-"));
    try {
      await httpTargets("once", 3);
      // The service stops applying reports: tasks finish (their messages leave the stream), PostgreSQL says queued.
      await system.ingester.stop();
      const { run } = await execution().runs.start.mutate({
        action: { type: "command", command: 'echo ran >> "$FOLDER/$OPSC_TARGET_NAME"' },
        runOn: "local",
        env: { FOLDER: folder },
        targets: { selector: "suite=once" },
      });
      // Each task's final report (a quick task sends no separate `started` report).
      const reports = `${system.redis.prefix}:execution:reports`;
      const deadline = Date.now() + 10_000;
      const finishedReports = async () =>
        ((await system.redis.redis.xrange(reports, "-", "+")) as [string, string[]][]).filter(([, fields]) =>
          fields.some((field) => field.includes('"type":"finished"')),
        ).length;
      while ((await finishedReports()) < 3) {
        if (Date.now() > deadline) throw new Error("the tasks did not report");
        await Bun.sleep(25);
      }
      // Another replica becomes the leader while those reports wait.
      await system.reconciler.stop();
      const leader = new Reconciler(system.executionDeps, { intervalMs: 100 });
      await leader.start();
      await Bun.sleep(1_000);
      // Reports flow again (this ingester replaces the system's for the rest of the file).
      replacementIngester = new ReportIngester(system.executionDeps);
      await replacementIngester.start();
      try {
        expect((await finished(run.id)).counts.succeeded).toBe(3);
        await Bun.sleep(500);
        for (const name of ["once-0", "once-1", "once-2"])
          expect(readFileSync(join(folder, name), "utf8")).toBe("ran\n");
      } finally {
        await leader.stop();
        await system.reconciler.start();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test("a task whose worker vanished without a trace is failed as lost, and its run finishes", async () => {
    await worker.stop({ timeoutMs: 5_000 });
    try {
      const [id] = await httpTargets("vanished", 1);
      const { run } = await execution().runs.start.mutate({
        action: { type: "noop" },
        targets: { ids: [id!] },
        timeoutSeconds: 1,
      });
      const [task] = (await execution().tasks.list.query({ runId: run.id })).items;
      // A worker reported the start, then disappeared with its message (as when Redis lost both).
      await applyReports(system.executionDeps, {
        logs: [],
        started: [
          {
            type: "started",
            runId: run.id,
            taskId: task!.id,
            attempt: 1,
            workerId: "gone",
            at: Date.now() - 5_000,
          },
        ],
        finished: [],
      });
      await system.reconciler.stop();
      const reaper = new Reconciler(system.executionDeps, { intervalMs: 100, lostMarginMs: 1_000 });
      await reaper.start();
      try {
        const done = await finished(run.id);
        expect(done.state).toBe("failed");
        expect((await execution().tasks.get.query({ id: task!.id })).error?.kind).toBe("lost");
      } finally {
        await reaper.stop();
        await system.reconciler.start();
      }
    } finally {
      worker = createExecutionWorkerForTests({
        redis: system.redis.redis,
        prefix: system.redis.prefix,
        vaultKeys: system.vaultKeys,
        localEnabled: true,
      });
      await worker.start();
    }
  });

  test("Redis loses its data mid-run: the reconciler re-enqueues from PostgreSQL and the run completes", async () => {
    await worker.stop({ timeoutMs: 5_000 });
    await httpTargets("lost", 20);
    const { run } = await execution().runs.start.mutate({
      action: { type: "noop" },
      targets: { selector: "suite=lost" },
    });
    // As a Redis restart without persistence: every key of this deployment is gone.
    await deleteKeysWithPrefix(system.redis.redis, system.redis.prefix);
    worker = createExecutionWorkerForTests({
      redis: system.redis.redis,
      prefix: system.redis.prefix,
      vaultKeys: system.vaultKeys,
      localEnabled: true,
    });
    await worker.start();
    const done = await finished(run.id);
    expect(done).toMatchObject({ state: "succeeded", counts: { succeeded: 20 } });
  });
});
