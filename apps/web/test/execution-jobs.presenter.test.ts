import { describe, expect, test } from "bun:test";
import type { TRun, TRunStep, TTask, TTaskState } from "@opsc/contracts/execution/runs";
import {
  canResumeTask,
  canRetryJobRun,
  countTasksByStep,
  describeCoverage,
  describeStep,
  describeTrigger,
  emptyCounts,
  formatClock,
  formatParameterValue,
  isHardFailure,
  isJobRun,
  jobOf,
  MASKED_SECRET,
  outputRows,
  parameterRows,
  presentLineage,
  SECRET_DOTS,
  taskExtras,
  taskLabel,
} from "../app/lib/execution-jobs.presenter.ts";

const RUN_ID = "00000000-0000-4000-8000-000000000001";

function run(overrides: Partial<TRun> = {}): TRun {
  return {
    id: RUN_ID,
    name: "deploy",
    state: "failed",
    action: null,
    steps: [],
    strategy: "target-first",
    job: { id: "00000000-0000-4000-8000-0000000000aa", name: "deploy-web", version: 3 },
    parameters: {},
    trigger: { kind: "manual", id: null, label: null },
    parentRunId: null,
    parentTaskId: null,
    rootRunId: RUN_ID,
    retryMode: null,
    held: false,
    overrideReason: null,
    runOn: "target",
    selector: null,
    envNames: [],
    sudo: false,
    timeoutSeconds: 3600,
    fanOut: null,
    failureThreshold: null,
    workerGroup: "default",
    exclusive: false,
    counts: { ...emptyCounts(), total: 6, succeeded: 4, failed: 1, skipped: 1 },
    createdBy: null,
    createdAt: "2026-12-01T10:00:00.000Z",
    startedAt: "2026-12-01T10:00:00.000Z",
    finishedAt: "2026-12-01T10:01:00.000Z",
    durationMs: 60_000,
    retryOf: null,
    cancelRequestedBy: null,
    stopReason: null,
    ...overrides,
  };
}

function task(overrides: Partial<TTask> = {}): TTask {
  return {
    id: "00000000-0000-4000-8000-0000000000t1",
    runId: RUN_ID,
    targetId: "00000000-0000-4000-8000-0000000000c1",
    targetName: "web-1",
    targetAddress: "10.0.0.1",
    state: "succeeded",
    attempt: 1,
    exitCode: 0,
    error: null,
    cancel: null,
    workerId: null,
    outputBytes: 0,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    stepIndex: 0,
    stepKey: "build",
    outputs: null,
    tolerated: false,
    retries: 0,
    notBefore: null,
    skipReason: null,
    childRunId: null,
    ...overrides,
  };
}

const step = (key: string, overrides: Partial<TRunStep> = {}): TRunStep => ({
  key,
  name: key,
  type: "command",
  runOn: "target",
  continueOnError: false,
  retries: 0,
  when: "if no earlier step failed",
  ...overrides,
});

describe("job or ad-hoc", () => {
  test("a run with an action is ad-hoc; without one it is a job run", () => {
    expect(isJobRun(run())).toBe(true);
    expect(isJobRun(run({ action: { type: "command", command: "uptime", shell: "sh" } }))).toBe(false);
  });

  test("the job links to its page with its version", () => {
    expect(jobOf(run())).toEqual({
      href: "/jobs/00000000-0000-4000-8000-0000000000aa",
      name: "deploy-web",
      version: "version 3",
    });
    expect(jobOf(run({ job: null }))).toBeNull();
  });
});

describe("trigger", () => {
  test("each kind in words; a run started by another run's step links to it", () => {
    expect(describeTrigger({ kind: "manual", id: null, label: null })).toEqual({
      text: "started manually",
      link: null,
    });
    expect(describeTrigger({ kind: "schedule", id: "s1", label: "nightly" })?.text).toBe(
      "started by schedule “nightly”",
    );
    expect(describeTrigger({ kind: "webhook", id: "w1", label: "from CI" })?.text).toBe(
      "started by webhook “from CI”",
    );
    expect(describeTrigger({ kind: "schedule", id: "s1", label: null })?.text).toBe(
      "started by schedule (deleted)",
    );
    expect(describeTrigger({ kind: "api", id: null, label: null })?.text).toBe("started through the API");
    expect(describeTrigger({ kind: "job", id: RUN_ID, label: "release" })).toEqual({
      text: "started by a step of run",
      link: { href: `/runs/${RUN_ID}`, label: "release" },
    });
    expect(describeTrigger({ kind: "job", id: RUN_ID, label: null })?.link?.label).toBe("00000000");
    expect(describeTrigger(null)).toBeNull();
  });
});

describe("parameters", () => {
  test("values on one line; a masked secret shows as dots", () => {
    expect(formatParameterValue(MASKED_SECRET)).toBe(SECRET_DOTS);
    expect(formatParameterValue("v1.2")).toBe("v1.2");
    expect(formatParameterValue("")).toBe("(empty)");
    expect(formatParameterValue(3)).toBe("3");
    expect(formatParameterValue(false)).toBe("false");
    expect(formatParameterValue(["a", "b"])).toBe("a, b");
    expect(formatParameterValue([])).toBe("(none)");
    expect(formatParameterValue(null)).toBe("—");
  });

  test("rows by name, saying which are secret", () => {
    expect(parameterRows({ version: "1.2", token: MASKED_SECRET, dryRun: true })).toEqual([
      { name: "dryRun", value: "true", secret: false },
      { name: "token", value: SECRET_DOTS, secret: true },
      { name: "version", value: "1.2", secret: false },
    ]);
    expect(parameterRows(null)).toEqual([]);
  });
});

describe("steps", () => {
  test("each step's tasks are counted by state from the tasks loaded", () => {
    const steps = [step("build"), step("deploy"), step("verify")];
    const tasks = [
      task({ stepIndex: 0, state: "succeeded" }),
      task({ stepIndex: 0, state: "succeeded", targetName: "web-2" }),
      task({ stepIndex: 1, state: "succeeded" }),
      task({ stepIndex: 1, state: "failed", targetName: "web-2" }),
      task({ stepIndex: 2, state: "running" }),
      task({ stepIndex: 2, state: "skipped", targetName: "web-2" }),
      task({ stepIndex: 2, state: "timed_out", targetName: "web-3" }),
      // A task of a step the run does not have (never expected) is left out rather than miscounted.
      task({ stepIndex: 7, state: "failed" }),
    ];
    const result = countTasksByStep(steps, tasks);
    expect(result.map((entry) => entry.step.key)).toEqual(["build", "deploy", "verify"]);
    expect(result[0]!.counts).toEqual({ ...emptyCounts(), total: 2, succeeded: 2 });
    expect(result[1]!.counts).toEqual({ ...emptyCounts(), total: 2, succeeded: 1, failed: 1 });
    expect(result[2]!.counts).toEqual({ ...emptyCounts(), total: 3, running: 1, skipped: 1, timedOut: 1 });
  });

  test("every task state has its counter", () => {
    const states: TTaskState[] = [
      "queued",
      "running",
      "succeeded",
      "failed",
      "timed_out",
      "cancelled",
      "skipped",
    ];
    const [only] = countTasksByStep(
      [step("a")],
      states.map((state) => task({ state })),
    );
    expect(only!.counts).toEqual({
      total: 7,
      queued: 1,
      running: 1,
      succeeded: 1,
      failed: 1,
      timedOut: 1,
      cancelled: 1,
      skipped: 1,
    });
  });

  test("partial counts say so", () => {
    expect(describeCoverage(6, 6)).toBeNull();
    expect(describeCoverage(5000, 12000)).toBe("Counted over the first 5,000 of 12,000 tasks");
  });

  test("a step's settings in words", () => {
    expect(describeStep(step("build"))).toEqual({
      type: "command",
      facts: ["if no earlier step failed", "no retries"],
    });
    expect(
      describeStep(
        step("notify", { type: "job", runOn: "local", retries: 2, when: "always", continueOnError: true }),
      ),
    ).toEqual({ type: "runs another job", facts: ["on the worker host", "always", "2 retries"] });
    expect(describeStep(step("x", { retries: 1 })).facts).toContain("1 retry");
  });
});

describe("task rows", () => {
  test("a retry waiting for its backoff shows when it runs", () => {
    expect(formatClock("2026-12-01T14:05:09.000Z", "UTC")).toBe("14:05:09");
    expect(formatClock("2026-12-01T00:00:01.000Z", "UTC")).toBe("00:00:01");
    const waiting = task({ state: "queued", notBefore: "2026-12-01T14:05:09.000Z", retries: 1 });
    expect(taskExtras(waiting, "UTC").retryAt).toBe("retry at 14:05:09");
    // Once it runs, the time is no longer news.
    expect(taskExtras({ ...waiting, state: "running" }, "UTC").retryAt).toBeNull();
  });

  test("a tolerated failure is marked continued; a hard one is not", () => {
    expect(taskExtras(task({ state: "failed", tolerated: true })).continued).toBe(true);
    expect(taskExtras(task({ state: "timed_out", tolerated: true })).continued).toBe(true);
    expect(taskExtras(task({ state: "failed" })).continued).toBe(false);
  });

  test("a skipped task says why; the reason of a task that ran is not shown", () => {
    expect(taskExtras(task({ state: "skipped", skipReason: "condition not met" })).skipReason).toBe(
      "condition not met",
    );
    expect(taskExtras(task({ state: "succeeded", skipReason: "stale" })).skipReason).toBeNull();
  });

  test("a task that started a run links to it; the error or the cancel's survivors are the problem", () => {
    const child = "00000000-0000-4000-8000-0000000000cc";
    expect(taskExtras(task({ childRunId: child })).childRunHref).toBe(`/runs/${child}`);
    expect(taskExtras(task()).childRunHref).toBeNull();
    expect(
      taskExtras(task({ state: "failed", error: { kind: "exit", message: "exit code 4" } })).problem,
    ).toBe("exit code 4");
    expect(
      taskExtras(
        task({
          state: "cancelled",
          cancel: { outcome: "killed", survivors: [{ pid: 1, command: "sleep" }], outputHeldOpen: false },
        }),
      ).problem,
    ).toBe("1 processes survived");
    expect(taskExtras(task()).problem).toBe("");
  });

  test("outputs by key; a task is labelled by target and step", () => {
    expect(outputRows({ version: "2", build: "b-7" })).toEqual([
      { key: "build", value: "b-7" },
      { key: "version", value: "2" },
    ]);
    expect(outputRows(null)).toEqual([]);
    expect(taskLabel(task())).toBe("web-1 · build");
    expect(taskLabel(task({ stepKey: null }))).toBe("web-1");
  });
});

describe("retry and resume", () => {
  test("a hard failure is failed or timed out and not tolerated", () => {
    expect(isHardFailure({ state: "failed", tolerated: false })).toBe(true);
    expect(isHardFailure({ state: "timed_out", tolerated: false })).toBe(true);
    expect(isHardFailure({ state: "failed", tolerated: true })).toBe(false);
    expect(isHardFailure({ state: "cancelled", tolerated: false })).toBe(false);
    expect(isHardFailure({ state: "skipped", tolerated: false })).toBe(false);
  });

  test("a finished job run with failures offers retry and resume; a running or succeeded one does not", () => {
    expect(canRetryJobRun(run())).toBe(true);
    expect(canRetryJobRun(run({ state: "cancelled" }))).toBe(true);
    expect(canRetryJobRun(run({ state: "running" }))).toBe(false);
    // Succeeded with a failure counted: a tolerated one, nothing to retry.
    expect(canRetryJobRun(run({ state: "succeeded" }))).toBe(false);
    expect(canRetryJobRun(run({ counts: { ...emptyCounts(), total: 2, succeeded: 1, cancelled: 1 } }))).toBe(
      false,
    );
    expect(canRetryJobRun(run({ action: { type: "command", command: "x", shell: "sh" } }))).toBe(false);
  });

  test("one target resumes from its failed task, once the run is over", () => {
    const failed = task({ state: "failed" });
    expect(canResumeTask(run(), failed)).toBe(true);
    expect(canResumeTask(run({ state: "running" }), failed)).toBe(false);
    expect(canResumeTask(run(), task({ state: "failed", tolerated: true }))).toBe(false);
    expect(canResumeTask(run(), task({ state: "succeeded" }))).toBe(false);
    expect(canResumeTask(run({ action: { type: "command", command: "x", shell: "sh" } }), failed)).toBe(
      false,
    );
  });
});

describe("lineage", () => {
  const first = run({ id: "00000000-0000-4000-8000-0000000000r1", name: "deploy" });
  const retry = run({
    id: "00000000-0000-4000-8000-0000000000r2",
    name: "Retry of deploy",
    retryMode: "retry",
    retryOf: first.id,
    rootRunId: first.id,
  });
  const resume = run({
    id: "00000000-0000-4000-8000-0000000000r3",
    name: "Resume of Retry of deploy",
    state: "succeeded",
    retryMode: "resume",
    retryOf: retry.id,
    rootRunId: first.id,
  });

  test("the chain oldest first with its modes, the current run marked", () => {
    const view = presentLineage({ chain: [first, retry, resume], children: [], parent: null }, retry.id);
    expect(view.chain.map((entry) => [entry.name, entry.mode, entry.current])).toEqual([
      ["deploy", "first run", false],
      ["Retry of deploy", "retry of the failed targets", true],
      ["Resume of Retry of deploy", "resume from the failed step", false],
    ]);
    expect(view.chain[2]!.href).toBe(`/runs/${resume.id}`);
    expect(view.chain[2]!.state).toBe("succeeded");
    expect(view.isEmpty).toBe(false);
  });

  test("a run alone has an empty lineage; a parent or children make it worth showing", () => {
    expect(presentLineage({ chain: [first], children: [], parent: null }, first.id).isEmpty).toBe(true);
    const child = run({ id: "00000000-0000-4000-8000-0000000000k1", name: "notify", parentRunId: first.id });
    const withChild = presentLineage({ chain: [first], children: [child], parent: null }, first.id);
    expect(withChild.isEmpty).toBe(false);
    expect(withChild.children.map((entry) => [entry.name, entry.href])).toEqual([
      ["notify", `/runs/${child.id}`],
    ]);
    const asChild = presentLineage({ chain: [child], children: [], parent: first }, child.id);
    expect(asChild.isEmpty).toBe(false);
    expect(asChild.parent).toMatchObject({ id: first.id, name: "deploy", current: false });
  });
});
