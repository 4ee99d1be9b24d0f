import { describe, expect, test } from "bun:test";
import { Semaphore } from "./semaphore.ts";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

describe("Semaphore", () => {
  test("never runs more than its limit at once, and serves waiters in order", async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 6 }, deferred);
    const all = gates.map((gate, index) =>
      semaphore.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(index);
        await gate.promise;
        running--;
        return index;
      }),
    );
    await Bun.sleep(0);
    expect(semaphore.inUse).toBe(2);
    expect(semaphore.waiting).toBe(4);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(semaphore.inUse).toBe(0);
  });

  test("a waiter whose signal aborts leaves the queue without running; a failing operation frees its slot", async () => {
    const semaphore = new Semaphore(1);
    const gate = deferred();
    const first = semaphore.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const aborted = semaphore.run(async () => {
      ran = true;
    }, controller.signal);
    controller.abort(new Error("message lost"));
    await expect(aborted).rejects.toThrow("message lost");
    expect(semaphore.waiting).toBe(0);
    gate.resolve();
    await first;
    await expect(semaphore.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await semaphore.run(async () => "free again")).toBe("free again");
    expect(ran).toBe(false);
    await expect(semaphore.run(async () => 1, AbortSignal.abort(new Error("already")))).rejects.toThrow(
      "already",
    );
  });
});
