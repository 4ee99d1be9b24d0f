import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { RedisClient } from "bun";
import type { Child } from "./children.ts";
import { spawnChild } from "./children.ts";
import { say } from "./log.ts";
import { getFreePort, waitFor } from "./net.ts";
import { installHint } from "./system.ts";

/** The Redis server the services use. */
export interface RedisHandle {
  url: string;
  /** The private redis-server child, when we started one. */
  child?: Child;
  stop(): Promise<void>;
}

const DEFAULT_URL = "redis://127.0.0.1:6379";

/** True when Redis at `url` answers PING (an auth error also counts as "something answers"). */
export async function pingRedis(url: string): Promise<boolean> {
  const client = new RedisClient(url, { connectionTimeout: 2_000, autoReconnect: false });
  try {
    await client.send("PING", []);
    return true;
  } catch (error) {
    return /NOAUTH|WRONGPASS/.test(String((error as Error).message));
  } finally {
    client.close();
  }
}

/**
 * Finds the Redis to use: REDIS_URL when set (it must answer), else 127.0.0.1:6379 when it answers, else a
 * private redis-server (append-only file under `<dataDir>/redis`) on a free loopback port.
 */
export async function resolveRedis(dataDirectory: string, cwd: string): Promise<RedisHandle> {
  const explicit = process.env.REDIS_URL;
  if (explicit) {
    if (!(await pingRedis(explicit))) throw new Error(`REDIS_URL is set, but Redis does not answer there`);
    return { url: explicit, stop: async () => {} };
  }
  if (await pingRedis(DEFAULT_URL)) return { url: DEFAULT_URL, stop: async () => {} };
  return startPrivateRedis(join(dataDirectory, "redis"), cwd);
}

/** Runs redis-server as a child on a free loopback port, with its append-only file in `dir`. */
export async function startPrivateRedis(dir: string, cwd: string): Promise<RedisHandle> {
  const bin = Bun.which("redis-server");
  if (!bin) {
    throw new Error(
      `Redis is not answering on 127.0.0.1:6379 and redis-server is not installed. Install it (${installHint("redis-server", "redis")}), or set REDIS_URL.`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const port = await getFreePort();
  const child = spawnChild({
    name: "redis",
    cmd: [
      bin,
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--loglevel",
      "warning",
    ],
    env: process.env,
    cwd,
  });
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitFor(`private redis-server on ${url}`, () => pingRedis(url), {
      timeoutMs: 15_000,
      abortIf: () => (child.done ? "redis-server exited" : undefined),
    });
  } catch (error) {
    await child.stop(2_000);
    throw error;
  }
  say(`started a private Redis on 127.0.0.1:${port} (data in ${dir})`);
  return { url, child, stop: () => child.stop() };
}
