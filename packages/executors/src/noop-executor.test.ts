import { describe, expect, test } from "bun:test";
import type { ExecuteRequest } from "./executor.ts";
import { NoopExecutor } from "./noop-executor.ts";

const target = {
  id: "t1",
  name: "n1",
  address: "127.0.0.1",
  port: 22,
  kind: "ssh" as const,
  http: null,
  expectedHostKey: null,
  credential: null,
  sudoCredential: null,
};

function request(sleepMs: number, overrides: Partial<ExecuteRequest> = {}): ExecuteRequest {
  return {
    taskId: "task",
    runId: "run",
    target,
    action: { type: "noop", sleepMs },
    env: {},
    sudo: false,
    timeoutMs: 10_000,
    killGraceMs: 100,
    signal: new AbortController().signal,
    onOutput: () => {
      throw new Error("a noop prints nothing");
    },
    ...overrides,
  };
}

const executor = new NoopExecutor();
const noSecrets = () => {};

describe("NoopExecutor", () => {
  test("succeeds at once without output", async () => {
    const result = await executor.execute(request(0), noSecrets);
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0, error: null, cancel: null });
  });

  test("sleeps sleepMs, then succeeds", async () => {
    const startedAt = performance.now();
    const result = await executor.execute(request(50), noSecrets);
    expect(result.status).toBe("succeeded");
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(45);
  });

  test("a cancel ends the sleep; an already aborted signal starts nothing", async () => {
    const controller = new AbortController();
    const running = executor.execute(request(60_000, { signal: controller.signal }), noSecrets);
    controller.abort();
    expect(await running).toMatchObject({ status: "cancelled", cancel: { outcome: "terminated" } });
    const aborted = await executor.execute(request(0, { signal: AbortSignal.abort() }), noSecrets);
    expect(aborted).toMatchObject({ status: "cancelled", cancel: { outcome: "not_started" } });
  });

  test("a sleep longer than the timeout times out", async () => {
    const result = await executor.execute(request(60_000, { timeoutMs: 20 }), noSecrets);
    expect(result).toMatchObject({ status: "timed_out", error: { kind: "timeout" } });
  });
});
