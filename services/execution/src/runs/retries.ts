import type { ExecutionServiceDeps } from "../deps.ts";
import { claimDueRetries } from "./plan-advance.ts";
import { dispatchOrRelease } from "./runs.service.ts";

/**
 * Enqueues step retries once their backoff has passed. Every service replica runs one; a retry is claimed by one of
 * them (SKIP LOCKED) and marked enqueued in the same statement, so the reconciler covers a crash after that.
 */
export class RetryDispatcher {
  readonly #deps: ExecutionServiceDeps;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;

  constructor(deps: ExecutionServiceDeps, options: { intervalMs?: number } = {}) {
    this.#deps = deps;
    this.#intervalMs = options.intervalMs ?? 200;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.pass()
        .then(() => undefined)
        .catch((error: unknown) => this.#deps.log.warn({ err: error }, "could not enqueue due retries"))
        .finally(() => {
          this.#running = null;
          this.#schedule();
        });
    }, this.#intervalMs);
  }

  /** One pass: claims due retries and enqueues them, per run. Returns how many. */
  async pass(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.#deps.db.transaction().execute((trx) => claimDueRetries(trx));
      if (claimed.length === 0) return total;
      total += claimed.length;
      const runIds = [...new Set(claimed.map((task) => task.run_id))];
      const runs = await this.#deps.db.selectFrom("runs").selectAll().where("id", "in", runIds).execute();
      for (const run of runs)
        await dispatchOrRelease(
          this.#deps,
          run,
          claimed.filter((task) => task.run_id === run.id).sort((a, b) => a.seq - b.seq),
        );
      if (claimed.length < 500) return total;
    }
  }
}
