import { afterAll, describe, expect, test } from "bun:test";
import { sleep } from "@opsc/testing/net";
import { LocalExecutor } from "./local-executor.ts";
import {
  collectOutput,
  killTaskProcesses,
  makeRequest,
  memorySampler,
  processesOfTask,
  waitForTaskProcesses,
} from "./test-support/tasks.ts";

const executor = new LocalExecutor({ enabled: true });
afterAll(() => executor.close());
const noSecrets = () => {};

describe("LocalExecutor", () => {
  test("is off unless enabled", async () => {
    const result = await new LocalExecutor({ enabled: false }).execute(makeRequest());
    expect(result).toMatchObject({ status: "failed", error: { kind: "disabled" }, exitCode: null });
    expect(result.error?.message).toContain("disabled on this worker");
  });

  test("runs a command: stdout and stderr apart, the exit code, and OPSC_ variables", async () => {
    const out = collectOutput();
    const request = makeRequest({
      action: {
        type: "command",
        command:
          'echo "$OPSC_RUN_ID $OPSC_TASK_ID $OPSC_TARGET_NAME $OPSC_TARGET_ADDRESS"; echo oops >&2; exit 3',
        shell: "sh",
      },
      onOutput: out.onOutput,
    });
    const result = await executor.execute(request, noSecrets);
    expect(result).toMatchObject({ status: "failed", exitCode: 3, signal: null, error: null, cancel: null });
    expect(out.text()).toBe(`${request.runId} ${request.taskId} test-target 127.0.0.1\n`);
    expect(out.text("stderr")).toBe("oops\n");
  });

  test("environment values arrive verbatim, and the worker's own environment is not passed on", async () => {
    const values = { INJECT: `'; rm -rf / #`, SUBST: "$(id)", BACKTICK: "`id`", NEWLINE: "a\nb" };
    process.env.OPSC_EXECUTOR_TEST_WORKER_SECRET = "worker-only";
    try {
      const out = collectOutput();
      const result = await executor.execute(
        makeRequest({
          action: {
            type: "command",
            command: 'printf "%s|" "$INJECT" "$SUBST" "$BACKTICK" "$NEWLINE"; env',
            shell: "sh",
          },
          env: values,
          onOutput: out.onOutput,
        }),
        noSecrets,
      );
      expect(result.status).toBe("succeeded");
      expect(out.text()).toStartWith(`${Object.values(values).join("|")}|`);
      expect(out.text()).not.toContain("OPSC_EXECUTOR_TEST_WORKER_SECRET");
    } finally {
      delete process.env.OPSC_EXECUTOR_TEST_WORKER_SECRET;
    }
  });

  test("a python3 script gets the environment, with an empty stdin", async () => {
    const out = collectOutput();
    const result = await executor.execute(
      makeRequest({
        action: {
          type: "script",
          script: "import os, sys\nprint(os.environ['GREETING'], repr(sys.stdin.read()))\n",
          shell: "python3",
        },
        env: { GREETING: "hello $USER" },
        onOutput: out.onOutput,
      }),
      noSecrets,
    );
    expect(result.status).toBe("succeeded");
    expect(out.text()).toBe("hello $USER ''\n");
  });

  test("sudo is refused for local commands", async () => {
    const result = await executor.execute(makeRequest({ sudo: true }), noSecrets);
    expect(result).toMatchObject({ status: "failed", error: { kind: "unsupported" } });
  });

  test("cancel kills the whole tree (sleep 1000 & sleep 1000): nothing survives", async () => {
    const out = collectOutput();
    const controller = new AbortController();
    const request = makeRequest({
      action: { type: "command", command: "echo started; sleep 1000 & sleep 1000", shell: "sh" },
      signal: controller.signal,
      onOutput: out.onOutput,
    });
    const running = executor.execute(request, noSecrets);
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
    expect(processesOfTask(request.taskId)).toEqual([]);
  });

  test("a timeout takes the same path; a tree ignoring TERM is KILLed after the grace period", async () => {
    const request = makeRequest({
      action: { type: "command", command: "trap '' TERM; sleep 1000 & sleep 1000", shell: "sh" },
      timeoutMs: 500,
      killGraceMs: 300,
    });
    const result = await executor.execute(request, noSecrets);
    expect(result).toMatchObject({
      status: "timed_out",
      signal: "SIGKILL",
      error: { kind: "timeout" },
      cancel: { outcome: "killed", survivors: [] },
    });
    expect(processesOfTask(request.taskId)).toEqual([]);
  });

  test("a daemon that left the group is reported as holding the output open", async () => {
    const out = collectOutput();
    const controller = new AbortController();
    const request = makeRequest({
      action: { type: "command", command: "setsid sleep 1004 & echo started; wait", shell: "sh" },
      signal: controller.signal,
      onOutput: out.onOutput,
    });
    const running = executor.execute(request, noSecrets);
    try {
      await out.waitFor("started");
      await waitForTaskProcesses(request.taskId, "sleep", 1);
      controller.abort();
      const result = await running;
      expect(result.cancel).toMatchObject({ outcome: "terminated", outputHeldOpen: true });
      expect(processesOfTask(request.taskId).map((process) => process.command)).toEqual(["sleep"]);
    } finally {
      controller.abort();
      killTaskProcesses(request.taskId);
    }
  });

  test("an output handler that throws stops the task and kills its tree", async () => {
    const request = makeRequest({
      action: { type: "command", command: "echo started; sleep 1000 & sleep 1000", shell: "sh" },
      onOutput: () => {
        throw new Error("log stream unavailable");
      },
    });
    const result = await executor.execute(request, noSecrets);
    expect(result).toMatchObject({ status: "failed", error: { kind: "output_failed" } });
    expect(result.error?.message).toContain("log stream unavailable");
    expect(processesOfTask(request.taskId)).toEqual([]);
  });

  test("an already aborted signal starts nothing", async () => {
    const result = await executor.execute(
      makeRequest({
        action: { type: "command", command: "echo ran", shell: "sh" },
        signal: AbortSignal.abort(),
      }),
      noSecrets,
    );
    expect(result).toMatchObject({ status: "cancelled", cancel: { outcome: "not_started" } });
  });

  test("a promise from onOutput applies backpressure; the output stays complete and in order", async () => {
    const chunks: string[] = [];
    const result = await executor.execute(
      makeRequest({
        action: { type: "command", command: "seq 1 50000", shell: "sh" },
        onOutput: async (_stream, chunk) => {
          await sleep(1);
          chunks.push(chunk.toString());
        },
      }),
      noSecrets,
    );
    expect(result.status).toBe("succeeded");
    expect(chunks.join("")).toBe(`${Array.from({ length: 50_000 }, (_, i) => i + 1).join("\n")}\n`);
  });

  test("100 MB of output streams through without growing memory beyond a bounded buffer", async () => {
    const memory = memorySampler();
    const result = await executor.execute(
      makeRequest({
        action: { type: "command", command: "head -c 100000000 /dev/zero | base64 -w 0", shell: "sh" },
        timeoutMs: 120_000,
        onOutput: (_stream, chunk) => memory.sample(chunk.length),
      }),
      noSecrets,
    );
    expect(result.status).toBe("succeeded");
    expect(memory.bytes).toBe(133_333_336);
    expect(memory.peakGrowthBytes).toBeLessThan(64_000_000);
  });
});
