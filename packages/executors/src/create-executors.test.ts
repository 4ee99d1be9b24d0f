import { afterAll, describe, expect, test } from "bun:test";
import { parseVaultKeys } from "@opsc/vault";
import { createExecutors } from "./create-executors.ts";
import { HttpExecutor } from "./http-executor.ts";
import { LocalExecutor } from "./local-executor.ts";
import { NoopExecutor } from "./noop-executor.ts";
import { SshExecutor } from "./ssh-executor.ts";
import { makeRequest, makeTarget } from "./test-support/tasks.ts";

const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 1).toString("base64")}`);
const executors = createExecutors({
  vault,
  localEnabled: false,
  ssh: { maxChannelsPerConnection: 4 },
  connectTimeoutMs: 2_000,
});
afterAll(() => executors.close());

const command = { type: "command", command: "hostname", shell: "sh" } as const;
const ssh = { kind: "ssh" } as const;
const http = { kind: "http" } as const;

describe("createExecutors", () => {
  test("picks the executor by action, runOn and target kind", () => {
    expect(
      executors.executorFor({ action: { type: "noop", sleepMs: 0 }, runOn: "target", target: ssh }),
    ).toBeInstanceOf(NoopExecutor);
    const httpAction = {
      type: "http" as const,
      method: "GET" as const,
      path: "/",
      headers: {},
      expectStatus: [],
    };
    expect(executors.executorFor({ action: httpAction, runOn: "target", target: http })).toBeInstanceOf(
      HttpExecutor,
    );
    expect(executors.executorFor({ action: command, runOn: "local", target: http })).toBeInstanceOf(
      LocalExecutor,
    );
    expect(executors.executorFor({ action: command, runOn: "target", target: ssh })).toBeInstanceOf(
      SshExecutor,
    );
  });

  test("a command on an http target fails as unsupported, saying why", async () => {
    const executor = executors.executorFor({ action: command, runOn: "target", target: http });
    const result = await executor.execute(
      makeRequest({ target: makeTarget({ kind: "http" }), action: command }),
      () => {},
    );
    expect(result).toMatchObject({ status: "failed", error: { kind: "unsupported" }, exitCode: null });
    expect(result.error?.message).toContain("HTTP endpoint");
  });

  test("local execution follows localEnabled", async () => {
    const executor = executors.executorFor({ action: command, runOn: "local", target: ssh });
    const result = await executor.execute(makeRequest({ action: command }), () => {});
    expect(result).toMatchObject({ status: "failed", error: { kind: "disabled" } });
  });
});
