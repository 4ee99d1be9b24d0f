import { describe, expect, test } from "bun:test";
import type { Logger } from "@opsc/logger";
import { LeaderWork, repeatEvery } from "./leader-work.ts";
import { deferred, testLog } from "./test-support.ts";

const HOUR_MS = 3_600_000;

describe("repeatEvery", () => {
  test("a pass that reports more waiting is followed at once, without waiting for the interval", async () => {
    const controller = new AbortController();
    let passes = 0;
    // An hour's interval: the loop reaches pass 3 only because passes 1 and 2 report more waiting.
    await repeatEvery(
      HOUR_MS,
      controller.signal,
      async () => {
        passes++;
        if (passes === 3) controller.abort();
        return true;
      },
      (error) => {
        throw error;
      },
    );
    expect(passes).toBe(3);
  });

  test("a failed pass goes to onError and the next interval tries again; a failure from the abort ends it quietly", async () => {
    const controller = new AbortController();
    const errors: unknown[] = [];
    let passes = 0;
    await repeatEvery(
      1,
      controller.signal,
      async () => {
        passes++;
        if (passes === 1) throw new Error("service restarting");
        controller.abort();
        throw new Error("aborted");
      },
      (error) => errors.push(error),
    );
    expect(passes).toBe(2);
    expect(errors.map((error) => (error as Error).message)).toEqual(["service restarting"]);
  });

  test("aborting the signal ends the wait between two passes", async () => {
    const controller = new AbortController();
    const firstPass = deferred();
    const loop = repeatEvery(
      HOUR_MS,
      controller.signal,
      async () => {
        firstPass.resolve();
        return false;
      },
      () => undefined,
    );
    await firstPass.promise;
    controller.abort();
    await loop;
  });
});

describe("LeaderWork", () => {
  test("runs the work once per term with its own signal; stop aborts it with the reason and waits for it", async () => {
    const gauge: number[] = [];
    const work = new LeaderWork({
      log: testLog,
      stopWaitMs: HOUR_MS,
      stopTimeoutMessage: "held up",
      gauge: { set: (value) => gauge.push(value) },
    });
    const signals: AbortSignal[] = [];
    let isFinished = false;
    const run = async (signal: AbortSignal) => {
      signals.push(signal);
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      isFinished = true;
    };
    work.start(run);
    work.start(run);
    expect(work.isRunning).toBe(true);
    expect(signals).toHaveLength(1);

    await work.stop("leadership taken");
    expect(isFinished).toBe(true);
    expect(work.isRunning).toBe(false);
    expect((signals[0]!.reason as Error).message).toBe("leadership taken");
    await work.stop("again");
    expect(gauge).toEqual([1, 0]);

    // A new term gets a new signal.
    work.start(run);
    expect(signals).toHaveLength(2);
    expect(signals[1]!.aborted).toBe(false);
    await work.stop("shutting down");
  });

  test("work that ignores its signal holds up stop() only for stopWaitMs, with a warning", async () => {
    const warnings: string[] = [];
    const log = { warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger;
    const work = new LeaderWork({
      log,
      stopWaitMs: 5,
      stopTimeoutMessage: "a task ignored its abort signal",
    });
    const never = deferred();
    work.start(() => never.promise);
    await work.stop("leadership lost");
    expect(warnings).toEqual(["a task ignored its abort signal"]);
    never.resolve();
  });
});
