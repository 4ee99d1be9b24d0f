import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectSsh, type SshConnection, SshError } from "@opsc/ssh";
import { sleep } from "@opsc/testing/net";
import type { StartedSshd } from "@opsc/testing/sshd";
import { startSshd } from "@opsc/testing/sshd";
import { PoolClosedError, SshConnectionPool } from "./ssh-pool.ts";

let sshd: StartedSshd;
let connectCount = 0;

beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);
afterAll(async () => {
  await sshd?.stop();
});

function connect(privateKey = sshd.users[0]!.privateKeyPem): () => Promise<SshConnection> {
  return () => {
    connectCount++;
    return connectSsh({
      host: sshd.host,
      port: sshd.port,
      username: sshd.users[0]!.username,
      auth: { type: "key", privateKey },
      hostKey: { mode: "pin-on-first-use" },
      timeoutMs: 5_000,
    });
  };
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await sleep(20);
  if (!condition()) throw new Error(`timed out waiting until ${what}`);
}

describe("SshConnectionPool", () => {
  test("one connection per key, reused by later tasks", async () => {
    const pool = new SshConnectionPool();
    try {
      const before = connectCount;
      const first = await pool.acquire("a", connect());
      first.release();
      const second = await pool.acquire("a", connect());
      expect(second.connection).toBe(first.connection);
      const other = await pool.acquire("b", connect());
      expect(other.connection).not.toBe(first.connection);
      second.release();
      other.release();
      expect(connectCount - before).toBe(2);
      expect(pool.stats()).toEqual({ connections: 2, activeChannels: 0, waiting: 0 });
    } finally {
      await pool.close();
    }
  });

  test("at most maxChannelsPerConnection at once; the rest are served in arrival order", async () => {
    const pool = new SshConnectionPool({ maxChannelsPerConnection: 2 });
    try {
      const held = [await pool.acquire("a", connect()), await pool.acquire("a", connect())];
      const granted: number[] = [];
      const queued = [0, 1, 2].map((i) =>
        pool.acquire("a", connect()).then((lease) => {
          granted.push(i);
          return lease;
        }),
      );
      await sleep(50);
      expect(pool.stats()).toEqual({ connections: 1, activeChannels: 2, waiting: 3 });
      expect(granted).toEqual([]);
      held[0]!.release();
      const lease0 = await queued[0]!;
      held[1]!.release();
      lease0.release();
      const leases = await Promise.all(queued);
      expect(granted).toEqual([0, 1, 2]);
      for (const lease of leases) lease.release();
      expect(pool.stats().activeChannels).toBe(0);
    } finally {
      await pool.close();
    }
  });

  test("a task that stops waiting leaves the queue; its slot goes to the next", async () => {
    const pool = new SshConnectionPool({ maxChannelsPerConnection: 1 });
    try {
      const held = await pool.acquire("a", connect());
      const controller = new AbortController();
      const gaveUp = pool.acquire("a", connect(), controller.signal);
      const next = pool.acquire("a", connect());
      await sleep(20);
      controller.abort(new Error("cancelled by the user"));
      await expect(gaveUp).rejects.toThrow("cancelled by the user");
      expect(pool.stats().waiting).toBe(1);
      held.release();
      (await next).release();
    } finally {
      await pool.close();
    }
  });

  test("an idle connection is closed, and the next task reconnects", async () => {
    const pool = new SshConnectionPool({ idleTimeoutMs: 100 });
    try {
      const lease = await pool.acquire("a", connect());
      lease.release();
      await waitUntil(() => lease.connection.isClosed(), "the idle connection closed");
      expect(pool.stats().connections).toBe(0);
      const again = await pool.acquire("a", connect());
      expect(again.connection).not.toBe(lease.connection);
      expect(again.connection.isClosed()).toBe(false);
      again.release();
    } finally {
      await pool.close();
    }
  });

  test("a broken connection is dropped, and the next task reconnects", async () => {
    const pool = new SshConnectionPool();
    try {
      const lease = await pool.acquire("a", connect());
      lease.release();
      lease.connection.client.end(); // as if the server went away
      await waitUntil(() => lease.connection.isClosed(), "the connection closed");
      const again = await pool.acquire("a", connect());
      expect(again.connection).not.toBe(lease.connection);
      again.release();
    } finally {
      await pool.close();
    }
  });

  test("a failed connect fails every task waiting for it, and the next task tries again", async () => {
    const pool = new SshConnectionPool({ maxChannelsPerConnection: 1 });
    try {
      const wrongKey = sshd.users[0]!.encryptedPrivateKeyPem; // encrypted, no passphrase given
      const before = connectCount;
      const attempts = [1, 2, 3].map(() =>
        pool.acquire("a", connect(wrongKey)).catch((error: unknown) => error),
      );
      for (const error of await Promise.all(attempts)) {
        expect(error).toBeInstanceOf(SshError);
        expect((error as SshError).kind).toBe("auth");
      }
      expect(connectCount - before).toBe(1);
      (await pool.acquire("a", connect())).release();
      expect(connectCount - before).toBe(2);
    } finally {
      await pool.close();
    }
  });

  test("close() ends every connection and fails waiting and later tasks", async () => {
    const pool = new SshConnectionPool({ maxChannelsPerConnection: 1 });
    const lease = await pool.acquire("a", connect());
    const waiting = pool.acquire("a", connect()).catch((error: unknown) => error);
    await pool.close();
    expect(await waiting).toBeInstanceOf(PoolClosedError);
    expect(lease.connection.isClosed()).toBe(true);
    await expect(pool.acquire("a", connect())).rejects.toBeInstanceOf(PoolClosedError);
    lease.release();
  });
});
