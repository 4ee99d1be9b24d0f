import type { Logger } from "@opsc/logger";
import { settlesWithin, sleep } from "./time.ts";

/** Options of {@link LeaderWork}. */
export interface LeaderWorkOptions {
  log: Logger;
  /** How long work that ignores its abort signal may hold up `stop()`, a change of leadership or a shutdown. */
  stopWaitMs: number;
  /** Logged (as a warning) when the work has not returned `stopWaitMs` after the abort. */
  stopTimeoutMessage: string;
  /** Set to 1 while the work runs, 0 otherwise (a prom-client `Gauge`). */
  gauge?: { set(value: number): void };
}

/**
 * The work a replica does during one leadership term of a {@link LeaderLease}: `start()` from `onAcquired` runs it
 * with a fresh abort signal, `stop()` from `onLost` (or a shutdown) aborts that signal and waits, boundedly, for the
 * work to return. Starting while running and stopping while stopped do nothing.
 */
export class LeaderWork {
  private controller: AbortController | null = null;
  private work: Promise<unknown> | null = null;

  constructor(private readonly options: LeaderWorkOptions) {}

  get isRunning(): boolean {
    return this.controller !== null;
  }

  start(work: (signal: AbortSignal) => Promise<unknown>): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    this.options.gauge?.set(1);
    this.work = work(controller.signal);
  }

  /** Aborts the work's signal with `reason` and waits at most `stopWaitMs` for the work to settle. */
  async stop(reason: string): Promise<void> {
    const controller = this.controller;
    if (!controller) return;
    this.controller = null;
    this.options.gauge?.set(0);
    controller.abort(new Error(reason));
    const work = this.work;
    this.work = null;
    if (work && !(await settlesWithin(work, this.options.stopWaitMs)))
      this.options.log.warn({ waitedMs: this.options.stopWaitMs }, this.options.stopTimeoutMessage);
  }
}

/**
 * Runs `pass` over and over until `signal` aborts, starting each pass `intervalMs` after the previous one started
 * (at once after a slow pass, or when `pass` returns true: more is waiting). A pass that throws is given to
 * `onError` and the next interval tries again; one that throws because the signal aborted ends the loop quietly.
 * Never rejects unless `onError` throws.
 */
export async function repeatEvery(
  intervalMs: number,
  signal: AbortSignal,
  pass: () => Promise<boolean>,
  onError: (error: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    const startedAt = performance.now();
    let isMoreWaiting = false;
    try {
      isMoreWaiting = await pass();
    } catch (error) {
      if (signal.aborted) break;
      onError(error);
    }
    if (isMoreWaiting) continue;
    await sleep(intervalMs - (performance.now() - startedAt), signal);
  }
}
