import { describe, expect, test } from "bun:test";
import { isAfter, logSegmentKey } from "./log-segments.ts";
import { archivedRun, archivedTask, runArchiveKey } from "./run-archive.ts";

describe("run archive", () => {
  test("the key is the run's creation month in UTC", () => {
    expect(runArchiveKey("r1", new Date("2025-01-31T23:30:00-02:00"))).toBe("archives/runs/2025/02/r1.json");
    expect(runArchiveKey("r1", new Date("2024-12-01T00:00:00Z"))).toBe("archives/runs/2024/12/r1.json");
  });

  test("a run keeps its environment's names only and drops sealed secrets and secret-looking columns", () => {
    const run = archivedRun({
      id: "r1",
      name: "deploy",
      env: { API_TOKEN: "plain-value" },
      secret_env: { PASSWORD: "v1:k1:sealed" },
      sealed_thing: "x",
      stop_reason: null,
    });
    expect(run).toEqual({
      id: "r1",
      name: "deploy",
      stop_reason: null,
      env_names: ["API_TOKEN"],
      secret_env_names: ["PASSWORD"],
    });
  });

  test("a task keeps who its target was, not how to log in to it", () => {
    const task = archivedTask({
      id: "t1",
      state: "failed",
      target: {
        id: "x",
        name: "web-1",
        address: "10.0.0.1",
        port: 22,
        kind: "ssh",
        credential: { sealed: "v1:k1:abc" },
        sudoCredential: { sealed: "v1:k1:def" },
        http: { headers: { authorization: "Bearer secret" } },
      },
    });
    expect(task).toEqual({
      id: "t1",
      state: "failed",
      target: { id: "x", name: "web-1", address: "10.0.0.1", port: 22, kind: "ssh" },
    });
  });
});

describe("log segments", () => {
  test("keys sort in segment order", () => {
    const keys = [10, 2, 1].map((seq) => logSegmentKey("r1", seq));
    expect([...keys].sort()).toEqual([
      logSegmentKey("r1", 1),
      logSegmentKey("r1", 2),
      logSegmentKey("r1", 10),
    ]);
  });

  test("offsets compare by time, then sequence", () => {
    expect(isAfter({ ms: 2, seq: 0 }, { ms: 1, seq: 9 })).toBe(true);
    expect(isAfter({ ms: 1, seq: 1 }, { ms: 1, seq: 0 })).toBe(true);
    expect(isAfter({ ms: 1, seq: 0 }, { ms: 1, seq: 0 })).toBe(false);
    expect(isAfter({ ms: 0, seq: 5 }, { ms: 1, seq: 0 })).toBe(false);
  });
});
