import type { SshConnection } from "@opsc/ssh";

/** Options for {@link SshConnectionPool}. */
export interface SshPoolOptions {
  /**
   * Commands running at once on one connection; more wait in a first-come, first-served queue. Default 8:
   * OpenSSH allows 10 sessions per connection (MaxSessions), and cancelling needs a session for the kill.
   */
  maxChannelsPerConnection?: number;
  /** A connection unused this long is closed; default 60 s. */
  idleTimeoutMs?: number;
}

/** A channel slot on a pooled connection. `release()` exactly once, when the command has finished. */
export interface SshLease {
  connection: SshConnection;
  release(): void;
}

interface Waiter {
  /** The slot is yours (the releaser handed its slot over). */
  grant(): void;
  /** The connection is gone: try again (a fresh connection), or fail with `error` (its connect failed). */
  reject(error?: unknown): void;
}

interface PoolEntry {
  key: string;
  connecting: Promise<SshConnection>;
  connection: SshConnection | undefined;
  activeCount: number;
  waiters: Waiter[];
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  isDropped: boolean;
}

/** Thrown when the pool was closed while a task waited for, or asked for, a connection. */
export class PoolClosedError extends Error {
  override readonly name = "PoolClosedError";
}

const RETRY = Symbol("retry");

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("aborted", "AbortError");
}

/**
 * Authenticated SSH connections shared by tasks, one per key (the caller's key names host, port, user,
 * credential and pinned host key, so nothing is shared across those). Each connection runs at most
 * `maxChannelsPerConnection` commands at once; later tasks queue in arrival order. A connection closes after
 * `idleTimeoutMs` unused; one that breaks is dropped, and the next task connects afresh.
 */
export class SshConnectionPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly maxChannels: number;
  private readonly idleTimeoutMs: number;
  private isClosed = false;

  constructor(options: SshPoolOptions = {}) {
    this.maxChannels = options.maxChannelsPerConnection ?? 8;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    if (!(this.maxChannels >= 1)) throw new TypeError("maxChannelsPerConnection must be at least 1");
  }

  /**
   * A channel slot on the connection for `key`, connecting with `connect` when there is none. Rejects with
   * `connect`'s error (shared by every task waiting for that connection), with the signal's reason when it
   * aborts first, or with {@link PoolClosedError}.
   */
  async acquire(key: string, connect: () => Promise<SshConnection>, signal?: AbortSignal): Promise<SshLease> {
    while (true) {
      if (this.isClosed) throw new PoolClosedError("the SSH connection pool is closed");
      if (signal?.aborted) throw abortError(signal);
      let entry = this.entries.get(key);
      if (!entry || entry.isDropped || entry.connection?.isClosed()) {
        if (entry) this.drop(entry);
        entry = this.open(key, connect);
      }
      this.clearIdle(entry);
      if (entry.activeCount < this.maxChannels && entry.waiters.length === 0) entry.activeCount++;
      else if ((await this.waitForSlot(entry, signal)) === RETRY) continue;

      let connection: SshConnection;
      try {
        connection = await raceAbort(entry.connecting, signal);
      } catch (error) {
        this.release(entry);
        throw error;
      }
      if (connection.isClosed()) {
        this.drop(entry);
        this.release(entry);
        continue;
      }
      let isReleased = false;
      const held = entry;
      return {
        connection,
        release: () => {
          if (isReleased) return;
          isReleased = true;
          this.release(held);
        },
      };
    }
  }

  /** Connections open or opening, commands running and tasks queued: for metrics and tests. */
  stats(): { connections: number; activeChannels: number; waiting: number } {
    let activeChannels = 0;
    let waiting = 0;
    for (const entry of this.entries.values()) {
      activeChannels += entry.activeCount;
      waiting += entry.waiters.length;
    }
    return { connections: this.entries.size, activeChannels, waiting };
  }

  /** Closes every connection; waiting tasks fail with {@link PoolClosedError}. Running commands break. */
  async close(): Promise<void> {
    this.isClosed = true;
    const entries = [...this.entries.values()];
    for (const entry of entries) this.drop(entry, new PoolClosedError("the SSH connection pool is closed"));
    await Promise.all(
      entries.map((entry) =>
        entry.connecting.then(
          (connection) => connection.close(),
          () => {},
        ),
      ),
    );
  }

  private open(key: string, connect: () => Promise<SshConnection>): PoolEntry {
    const entry: PoolEntry = {
      key,
      connecting: undefined as unknown as Promise<SshConnection>,
      connection: undefined,
      activeCount: 0,
      waiters: [],
      idleTimer: undefined,
      isDropped: false,
    };
    entry.connecting = connect().then(
      (connection) => {
        entry.connection = connection;
        // Keepalive timeouts, resets, the server going away: the next task must reconnect.
        connection.client.once("close", () => this.drop(entry));
        if (entry.isDropped) void connection.close();
        else if (entry.activeCount === 0) this.scheduleIdle(entry);
        return connection;
      },
      (error: unknown) => {
        this.drop(entry, error);
        throw error;
      },
    );
    // Every acquirer awaits `connecting` itself; this only keeps a failure nobody awaits from being "unhandled".
    entry.connecting.catch(() => {});
    this.entries.set(key, entry);
    return entry;
  }

  private waitForSlot(entry: PoolEntry, signal: AbortSignal | undefined): Promise<typeof RETRY | undefined> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = entry.waiters.indexOf(waiter);
        if (index >= 0) entry.waiters.splice(index, 1);
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(undefined);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          if (error === undefined) resolve(RETRY);
          else reject(error);
        },
      };
      entry.waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Hands the slot to the next waiter, or frees it (and starts the idle timer when it was the last). */
  private release(entry: PoolEntry): void {
    const next = entry.isDropped ? undefined : entry.waiters.shift();
    if (next) {
      next.grant();
      return;
    }
    entry.activeCount--;
    if (entry.activeCount === 0 && !entry.isDropped && entry.connection) this.scheduleIdle(entry);
  }

  private scheduleIdle(entry: PoolEntry): void {
    this.clearIdle(entry);
    entry.idleTimer = setTimeout(() => {
      if (entry.activeCount === 0 && entry.waiters.length === 0) this.drop(entry);
    }, this.idleTimeoutMs);
    entry.idleTimer.unref?.();
  }

  private clearIdle(entry: PoolEntry): void {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
  }

  /**
   * Removes the entry, so the next task connects afresh, and closes its connection (commands still running
   * on it break). Waiters retry on a new connection, or get `error` when the connect itself failed.
   */
  private drop(entry: PoolEntry, error?: unknown): void {
    if (entry.isDropped) return;
    entry.isDropped = true;
    this.clearIdle(entry);
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    for (const waiter of entry.waiters.splice(0)) waiter.reject(error);
    if (entry.connection && !entry.connection.isClosed()) void entry.connection.close();
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the promise keeps running). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
