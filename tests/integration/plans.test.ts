/**
 * Multi-step runs (job plans) in the execution engine, end to end in one process: the execution service's internal
 * `runs.startPlan` (what the jobs service calls), PostgreSQL, the task streams, the report ingester, and a real
 * execution worker running local processes and SSH commands against an OpenSSH server on a loopback port.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TStartPlanRunRequest, TStepInput } from "@opsc/contracts/execution/plan";
import type { TTask } from "@opsc/contracts/execution/runs";
import type { ExecutionInternalRouter } from "@opsc/execution/internal";
import { createExecutionWorkerForTests } from "@opsc/execution-worker/test-support";
import type { ExecutionWorker } from "@opsc/execution-worker/worker";
import { createInternalClient } from "@opsc/server-kit";
import { type StartedSshd, startSshd } from "@opsc/testing";
import { createHttpTargets, createSshTarget, streamEvents, waitForRun } from "../support/execution.ts";
import { startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let worker: ExecutionWorker;
let sshd: StartedSshd;
let scratch: string;
const execution = () => system.admin.client.execution;
const httpTargets = (prefix: string, count: number) => createHttpTargets(system, prefix, count);
const sshTarget = (name: string) => createSshTarget(system, sshd, name);
const finished = (id: string, timeoutMs?: number) => waitForRun(execution(), id, timeoutMs);
const events = (type: string) => streamEvents(system, type);

beforeAll(async () => {
  system = await startSystem({ reconcileIntervalMs: 200 });
  sshd = await startSshd();
  worker = createExecutionWorkerForTests({
    redis: system.redis.redis,
    prefix: system.redis.prefix,
    vaultKeys: system.vaultKeys,
    localEnabled: true,
  });
  await worker.start();
  // World-readable: the SSH user of the test server reads marker files here.
  scratch = mkdtempSync(join(tmpdir(), "opsc-plans-"));
  await Bun.$`chmod 755 ${scratch}`;
}, 60_000);
afterAll(async () => {
  await worker?.stop({ timeoutMs: 5_000 });
  await sshd?.stop();
  await system?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function internal() {
  return createInternalClient<ExecutionInternalRouter>({
    baseUrl: "http://localhost",
    name: "execution",
    token: system.internalToken,
    fetch: (input, init) => system.executionApp.handle(new Request(input, init)),
  })({ requestId: crypto.randomUUID(), sourceIp: null, caller: null, headers: new Headers() });
}

let jobs = 0;
/** Starts a plan run as the jobs service would. */
async function startPlan(
  steps: TStepInput[],
  targets: TStartPlanRunRequest["targets"],
  extra: Partial<TStartPlanRunRequest> = {},
) {
  jobs++;
  return internal().runs.startPlan.mutate({
    name: `job ${jobs}`,
    job: { id: crypto.randomUUID(), name: `job ${jobs}`, version: 1 },
    plan: { steps, strategy: "target-first" },
    targets,
    createdBy: system.admin.id,
    ...extra,
  });
}

const local = (key: string, command: string, extra: Partial<TStepInput> = {}): TStepInput => ({
  key,
  name: key,
  action: { type: "command", command, shell: "bash" },
  runOn: "local",
  ...extra,
});

async function tasksOf(runId: string): Promise<TTask[]> {
  return (await execution().tasks.list.query({ runId, limit: 1000 })).items;
}

async function logText(runId: string, taskId?: string) {
  const page = await execution().logs.read.query({ runId, ...(taskId ? { taskId } : {}), limit: 5000 });
  return page.items.map((chunk) => chunk.text).join("");
}

describe("steps, outputs and conditions", () => {
  test("outputs reach later steps as variables; conditions on outputs run or skip a step, with the reason", async () => {
    const [target] = await httpTargets("outputs", 1);
    const started = await startPlan(
      [
        local("build", 'echo "building"; echo "::output version=42"; echo "::output channel=stable"'),
        local(
          "deploy",
          'echo "deploying $OPSC_OUTPUT_build_version on $OPSC_TARGET_NAME at step $OPSC_STEP"',
          {
            when: { outputs: [{ step: "build", key: "version", op: "equals", value: "42" }] },
          },
        ),
        local("canary", "echo canary", {
          when: { outputs: [{ step: "build", key: "channel", op: "equals", value: "beta" }] },
        }),
      ],
      { ids: [target!] },
    );
    expect(started.outcome).toBe("started");
    const run = await finished(started.runId!);
    expect(run.state).toBe("succeeded");
    expect(run.steps.map((step) => step.key)).toEqual(["build", "deploy", "canary"]);
    expect(run.action).toBeNull();
    expect(run.counts).toMatchObject({ total: 3, succeeded: 2, skipped: 1 });
    const tasks = await tasksOf(run.id);
    expect(tasks.map((task) => [task.stepKey, task.state])).toEqual([
      ["build", "succeeded"],
      ["deploy", "succeeded"],
      ["canary", "skipped"],
    ]);
    expect(tasks[0]!.outputs).toEqual({ version: "42", channel: "stable" });
    expect(tasks[2]!.skipReason).toContain('build.channel is "beta"');
    expect(await logText(run.id, tasks[1]!.id)).toContain("deploying 42 on outputs-0 at step deploy");
  });

  test("a failed step skips the steps after it, except those that run on failure; the run fails", async () => {
    const [target] = await httpTargets("failing", 1);
    const started = await startPlan(
      [
        local("one", "echo one"),
        local("two", "echo broken >&2; exit 3"),
        local("three", "echo three"),
        local("cleanup", "echo cleaning up", { when: { status: "failure" } }),
        local("report", "echo always", { when: { status: "always" } }),
      ],
      { ids: [target!] },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("failed");
    const tasks = await tasksOf(run.id);
    expect(tasks.map((task) => [task.stepKey, task.state])).toEqual([
      ["one", "succeeded"],
      ["two", "failed"],
      ["three", "skipped"],
      ["cleanup", "succeeded"],
      ["report", "succeeded"],
    ]);
    expect(tasks[1]!.exitCode).toBe(3);
    expect(tasks[2]!.skipReason).toBe("an earlier step failed");
    // Events go out through the outbox relay (drained by hand in this composition).
    for (const relay of system.relays) await relay.drain();
    const failures = (await events("task.failed")).filter((event) => event.payload.runId === run.id);
    expect(failures.map((event) => event.payload.stepKey)).toEqual(["two"]);
  });

  test("continue on error: the step fails, the target goes on, the run succeeds", async () => {
    const [target] = await httpTargets("tolerant", 1);
    const started = await startPlan(
      [local("flaky", "exit 1", { continueOnError: true }), local("after", "echo after")],
      { ids: [target!] },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("succeeded");
    const tasks = await tasksOf(run.id);
    expect(tasks.map((task) => [task.state, task.tolerated])).toEqual([
      ["failed", true],
      ["succeeded", false],
    ]);
  });

  test("retries with backoff: a step that fails once runs again after its backoff and the run succeeds", async () => {
    const [target] = await httpTargets("retry", 1);
    const marker = join(scratch, "retry-marker");
    const started = await startPlan(
      [
        local(
          "flaky",
          `if [ -e ${marker} ]; then echo second try; else touch ${marker}; echo first try; exit 1; fi`,
          {
            retry: { count: 2, backoffSeconds: 0.3, factor: 2 },
          },
        ),
        local("next", "echo next"),
      ],
      { ids: [target!] },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("succeeded");
    const [flaky] = await tasksOf(run.id);
    expect(flaky).toMatchObject({ state: "succeeded", attempt: 2, retries: 1 });
    const text = await logText(run.id, flaky!.id);
    expect(text).toContain("first try");
    expect(text).toContain("second try");
    // The first failure was retried: no task.failed event.
    for (const relay of system.relays) await relay.drain();
    expect((await events("run.finished")).some((event) => event.payload.runId === run.id)).toBe(true);
    expect((await events("task.failed")).filter((event) => event.payload.runId === run.id)).toEqual([]);
  });

  test("retries run out: the step fails after its last attempt", async () => {
    const [target] = await httpTargets("retry-out", 1);
    const started = await startPlan([local("never", "exit 2", { retry: { count: 2, backoffSeconds: 0 } })], {
      ids: [target!],
    });
    const run = await finished(started.runId!);
    expect(run.state).toBe("failed");
    const [task] = await tasksOf(run.id);
    expect(task).toMatchObject({ state: "failed", attempt: 3, retries: 2, exitCode: 2 });
  });
});

describe("strategies and fan-out", () => {
  test("step-first: every target finishes a step before any target starts the next", async () => {
    const ids = await httpTargets("stepfirst", 3);
    const started = await startPlan(
      [local("a", "sleep 0.2"), local("b", "sleep 0.1"), local("c", "true")],
      { ids },
      {
        plan: {
          steps: [local("a", "sleep 0.2"), local("b", "sleep 0.1"), local("c", "true")],
          strategy: "step-first",
        },
      },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("succeeded");
    expect(run.strategy).toBe("step-first");
    const tasks = await tasksOf(run.id);
    for (const [earlier, later] of [
      ["a", "b"],
      ["b", "c"],
    ]) {
      const lastEnd = Math.max(
        ...tasks.filter((task) => task.stepKey === earlier).map((task) => Date.parse(task.finishedAt!)),
      );
      const firstStart = Math.min(
        ...tasks.filter((task) => task.stepKey === later).map((task) => Date.parse(task.startedAt!)),
      );
      expect(firstStart).toBeGreaterThanOrEqual(lastEnd);
    }
  });

  test("target-first with a fan-out of 1: one target at a time goes through all its steps", async () => {
    const ids = await httpTargets("fanout", 3);
    const started = await startPlan(
      [local("a", "sleep 0.1"), local("b", "sleep 0.1")],
      { ids },
      { fanOut: 1 },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("succeeded");
    const tasks = await tasksOf(run.id);
    const spans = ids.map((id) => {
      const mine = tasks.filter((task) => task.targetId === id);
      return {
        start: Math.min(...mine.map((task) => Date.parse(task.startedAt!))),
        end: Math.max(...mine.map((task) => Date.parse(task.finishedAt!))),
      };
    });
    spans.sort((a, b) => a.start - b.start);
    for (let index = 1; index < spans.length; index++)
      expect(spans[index]!.start).toBeGreaterThanOrEqual(spans[index - 1]!.end);
  });

  test("a failure threshold on targets stops starting new targets", async () => {
    const ids = await httpTargets("threshold", 4);
    const started = await startPlan(
      [local("fail", "exit 1"), local("never", "true")],
      { ids },
      {
        fanOut: 1,
        failureThreshold: { count: 2 },
      },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("failed");
    expect(run.stopReason).toContain("failure threshold reached: 2 of 4 targets failed");
    const tasks = await tasksOf(run.id);
    expect(tasks.filter((task) => task.state === "failed")).toHaveLength(2);
  });
});

describe("concurrency policy", () => {
  test("queue holds a second run of the job until the first ends; skip starts nothing", async () => {
    const [target] = await httpTargets("concurrency", 1);
    const job = { id: crypto.randomUUID(), name: "serial", version: 1 };
    const first = await startPlan(
      [local("slow", "sleep 1")],
      { ids: [target!] },
      { job, concurrency: "queue" },
    );
    const second = await startPlan(
      [local("quick", "true")],
      { ids: [target!] },
      { job, concurrency: "queue" },
    );
    expect(first.outcome).toBe("started");
    expect(second.outcome).toBe("queued");
    const held = await execution().runs.get.query({ id: second.runId! });
    expect(held).toMatchObject({ state: "queued", held: true });
    const skipped = await startPlan(
      [local("quick", "true")],
      { ids: [target!] },
      { job, concurrency: "skip" },
    );
    expect(skipped).toMatchObject({ outcome: "skipped", runId: null, activeRunId: first.runId });

    const firstDone = await finished(first.runId!);
    const secondDone = await finished(second.runId!);
    expect(secondDone.state).toBe("succeeded");
    expect(secondDone.held).toBe(false);
    expect(Date.parse(secondDone.startedAt!)).toBeGreaterThanOrEqual(Date.parse(firstDone.finishedAt!));
  });
});

describe("run another job", () => {
  test("a job step starts a linked child run on the same target with substituted parameters", async () => {
    const [target] = await httpTargets("child", 1);
    const childJob = { id: crypto.randomUUID(), name: "child job", version: 3 };
    const started = await startPlan(
      [
        local("prepare", 'echo "::output release=r17"'),
        {
          key: "deploy",
          name: "deploy with the child job",
          action: {
            type: "job",
            job: "child job",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a `${NAME}` reference the step substitutes, not a template
            parameters: { RELEASE: "${OPSC_OUTPUT_prepare_release}", COUNT: 2 },
            resolved: {
              job: childJob,
              parameters: [
                { name: "RELEASE", type: "string", required: true, regex: "r[0-9]+" },
                { name: "COUNT", type: "integer", min: 1, max: 5 },
              ],
              plan: {
                steps: [local("show", 'echo "child got $RELEASE x$COUNT"')].map((step) => ({
                  runOn: "local",
                  sudo: false,
                  timeoutSeconds: 60,
                  retry: { count: 0, backoffSeconds: 5, factor: 2 },
                  continueOnError: false,
                  when: { status: "success", outputs: [] },
                  ...step,
                })) as never,
                strategy: "target-first",
              },
              workerGroup: "default",
              exclusive: false,
            },
          },
        },
        local("after", "echo after"),
      ],
      { ids: [target!] },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("succeeded");
    const tasks = await tasksOf(run.id);
    const deploy = tasks.find((task) => task.stepKey === "deploy")!;
    expect(deploy.state).toBe("succeeded");
    expect(deploy.childRunId).not.toBeNull();
    const child = await execution().runs.get.query({ id: deploy.childRunId! });
    expect(child).toMatchObject({
      state: "succeeded",
      parentRunId: run.id,
      parentTaskId: deploy.id,
      job: childJob,
      parameters: { RELEASE: "r17", COUNT: 2 },
      trigger: { kind: "job", id: run.id },
    });
    expect(await logText(child.id)).toContain("child got r17 x2");
    const lineage = await execution().runs.lineage.query({ id: run.id });
    expect(lineage.children.map((entry) => entry.id)).toEqual([child.id]);
    expect((await execution().runs.lineage.query({ id: child.id })).parent?.id).toBe(run.id);
  });

  test("parameters the child job refuses fail the step with the reason", async () => {
    const [target] = await httpTargets("child-bad", 1);
    const started = await startPlan(
      [
        {
          key: "call",
          name: "call",
          action: {
            type: "job",
            job: "strict",
            parameters: { LEVEL: "eleven" },
            resolved: {
              job: { id: crypto.randomUUID(), name: "strict", version: 1 },
              parameters: [{ name: "LEVEL", type: "integer", max: 10 }],
              plan: { steps: [{ ...local("x", "true"), runOn: "local" }] as never, strategy: "target-first" },
              workerGroup: "default",
              exclusive: false,
            },
          },
        },
      ],
      { ids: [target!] },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("failed");
    const [task] = await tasksOf(run.id);
    expect(task!.error?.kind).toBe("job_step");
    expect(task!.error?.message).toContain("LEVEL");
  });
});

describe("secret parameters", () => {
  test("reach the step's environment, are redacted from output, and are stored sealed only", async () => {
    const [target] = await httpTargets("secret", 1);
    const secret = "s3cr3t-Value-0987654321";
    const started = await startPlan(
      [local("use", 'echo "token=$API_TOKEN"; echo "::output leaked=$API_TOKEN"')],
      {
        ids: [target!],
      },
      { secretEnv: { API_TOKEN: secret }, parameters: { API_TOKEN: "********" } },
    );
    const run = await finished(started.runId!);
    expect(run.state).toBe("succeeded");
    const text = await logText(run.id);
    expect(text).toContain("token=");
    expect(text).not.toContain(secret);
    const [task] = await tasksOf(run.id);
    expect(JSON.stringify(task)).not.toContain(secret);
    expect(JSON.stringify(run)).not.toContain(secret);
    expect(run.envNames).not.toContain("API_TOKEN");
    const stored = await system.executionDb
      .selectFrom("runs")
      .select(["secret_env", "env", "parameters"])
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(Object.keys(stored.secret_env ?? {})).toEqual(["API_TOKEN"]);
  });
});

describe("retry and resume over SSH", () => {
  test("step 2 breaks on one target; after the fix, resuming runs only that target from step 2 with step 1's outputs", async () => {
    const a = await sshTarget("resume-a");
    const b = await sshTarget("resume-b");
    const broken = join(scratch, "broken-on-a");
    writeFileSync(broken, "");
    await Bun.$`chmod 644 ${broken}`;
    const steps: TStepInput[] = [
      {
        key: "fetch",
        name: "fetch",
        action: { type: "command", command: 'echo "::output build=b-$OPSC_TARGET_NAME"' },
      },
      {
        key: "install",
        name: "install",
        action: {
          type: "command",
          command: `if [ -e ${broken} ] && [ "$OPSC_TARGET_NAME" = resume-a ]; then echo "disk full" >&2; exit 4; fi; echo installed`,
        },
      },
      {
        key: "verify",
        name: "verify",
        action: { type: "command", command: 'echo "verified $OPSC_OUTPUT_fetch_build"' },
      },
    ];
    const first = await finished(
      (await startPlan(steps, { ids: [a.id, b.id] }, { env: { MODE: "safe" } })).runId!,
    );
    expect(first.state).toBe("failed");
    const firstTasks = await tasksOf(first.id);
    const stateOf = (tasks: TTask[], target: string, step: string) =>
      tasks.find((task) => task.targetName === target && task.stepKey === step)?.state;
    expect(stateOf(firstTasks, "resume-a", "install")).toBe("failed");
    expect(stateOf(firstTasks, "resume-a", "verify")).toBe("skipped");
    expect(stateOf(firstTasks, "resume-b", "verify")).toBe("succeeded");

    // The fix.
    rmSync(broken);
    const { run: resumed } = await execution().runs.retry.mutate({ id: first.id, from: "failed-step" });
    expect(resumed).toMatchObject({ retryOf: first.id, retryMode: "resume", rootRunId: first.id });
    const done = await finished(resumed.id);
    expect(done.state).toBe("succeeded");
    const tasks = await tasksOf(done.id);
    expect(new Set(tasks.map((task) => task.targetName))).toEqual(new Set(["resume-a"]));
    expect(tasks.map((task) => [task.stepKey, task.state])).toEqual([
      ["fetch", "skipped"],
      ["install", "succeeded"],
      ["verify", "succeeded"],
    ]);
    expect(tasks[0]!.skipReason).toBe(`done in run ${first.id}`);
    expect(tasks[0]!.outputs).toEqual({ build: "b-resume-a" });
    expect(await logText(done.id, tasks[2]!.id)).toContain("verified b-resume-a");
    expect(done.job).toEqual(first.job);

    const lineage = await execution().runs.lineage.query({ id: done.id });
    expect(lineage.chain.map((run) => run.id)).toEqual([first.id, done.id]);
  });

  test("retry from the start runs the failed targets through every step again", async () => {
    const a = await sshTarget("retry-a");
    const flag = join(scratch, "retry-flag");
    writeFileSync(flag, "");
    await Bun.$`chmod 644 ${flag}`;
    const steps: TStepInput[] = [
      { key: "one", name: "one", action: { type: "command", command: "echo one" } },
      { key: "two", name: "two", action: { type: "command", command: `test ! -e ${flag}` } },
    ];
    const first = await finished((await startPlan(steps, { ids: [a.id] })).runId!);
    expect(first.state).toBe("failed");
    rmSync(flag);
    const { run } = await execution().runs.retry.mutate({ id: first.id });
    const done = await finished(run.id);
    expect(done).toMatchObject({ state: "succeeded", retryMode: "retry" });
    expect((await tasksOf(done.id)).map((task) => task.state)).toEqual(["succeeded", "succeeded"]);
  });
});

describe("lists and stats", () => {
  test("runs filter by job; stats count runs per hour with a success rate", async () => {
    const [target] = await httpTargets("stats", 1);
    const job = { id: crypto.randomUUID(), name: "listed", version: 1 };
    const ok = await startPlan([local("ok", "true")], { ids: [target!] }, { job });
    await finished(ok.runId!);
    const listed = await execution().runs.list.query({ jobId: job.id });
    expect(listed.items.map((run) => run.id)).toEqual([ok.runId!]);
    const stats = await execution().runs.stats.query({ hours: 3 });
    expect(stats.hours).toHaveLength(3);
    const last = stats.hours.at(-1)!;
    expect(last.total).toBeGreaterThan(0);
    expect(last.succeeded + last.failed + last.cancelled).toBeLessThanOrEqual(last.total);
    expect(stats.successRate).toBeGreaterThan(0);
    expect(stats.recentFailures.every((run) => run.state === "failed")).toBe(true);
  });
});
