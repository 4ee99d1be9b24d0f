import { describe, expect, test } from "bun:test";
import { childrenMatching, cpuDelta, cpuSnapshot } from "./cpu-time.ts";

describe("cpuSnapshot", () => {
  test.skipIf(process.platform !== "linux")(
    "counts a tree's CPU time, including children it waited for",
    async () => {
      // A shell that runs a busy child (which it waits for), then idles: the child's time reaches the shell.
      const marker = `cpu-time-test-${process.pid}`;
      const shell = Bun.spawn({
        cmd: ["sh", "-c", `: ${marker}; sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'; sleep 5`],
        stdout: "ignore",
      });
      try {
        const groups = { shell: childrenMatching(process.pid, new RegExp(marker)) };
        // Counted from nothing: the whole tree's time so far.
        const before = { machine: cpuSnapshot({}).machine!, shell: 0 };
        await Bun.sleep(100);
        // The busy child runs for a few hundred ms; wait until only `sleep` is left.
        const deadline = Date.now() + 10_000;
        let after = cpuSnapshot(groups);
        while (Date.now() < deadline) {
          await Bun.sleep(100);
          const next = cpuSnapshot(groups);
          if (next.shell === after.shell && next.shell! > 0) break;
          after = next;
        }
        const delta = cpuDelta(before, after);
        expect(delta.cpuShellMs).toBeGreaterThan(50);
        expect(delta.cpuMachineMs).toBeGreaterThanOrEqual(delta.cpuShellMs! - 20);
      } finally {
        shell.kill();
        await shell.exited;
      }
    },
    20_000,
  );

  test("names each group's delta cpu<Group>Ms", () => {
    expect(cpuDelta({ machine: 100, worker: 10 }, { machine: 250, worker: 40.4 })).toEqual({
      cpuMachineMs: 150,
      cpuWorkerMs: 30,
    });
  });
});
