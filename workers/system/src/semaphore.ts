/**
 * Bounds how many operations run at once across everything that shares it (the health module shares one per
 * process, so a worker never has more than `limit` probes open whatever number of batches it runs).
 * Waiters are served first come, first served.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be an integer ≥ 1, got ${limit}`);
  }

  /** Operations running now. */
  get inUse(): number {
    return this.active;
  }

  /** Operations waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Runs `operation` once a slot is free. Rejects with the signal's reason, without running it, when `signal`
   * aborts while it waits (a batch whose message was lost must not take slots from the others).
   */
  async run<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await operation();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  private release(): void {
    this.active--;
    this.waiters.shift()?.();
  }
}
