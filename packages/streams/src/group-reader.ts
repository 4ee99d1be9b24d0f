import type Redis from "ioredis";

/** A stream entry as XREADGROUP and XAUTOCLAIM return it: id and flat field list. */
export type StreamEntry = [string, string[]];

/**
 * Creates a consumer group reading `stream` from its first entry (the stream too, when missing). An existing group
 * is kept. Also the answer to NOGROUP after Redis lost its data: reading resumes on the new stream.
 */
export async function ensureGroupFromStart(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
  } catch (error) {
    if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
  }
}

/**
 * Takes over the entries another (dead) consumer of the group read and left pending longer than `idleMs`, and
 * hands them to `process` a page at a time, while `running()` says so.
 */
export async function claimAbandonedEntries(
  redis: Redis,
  options: {
    stream: string;
    group: string;
    consumer: string;
    idleMs: number;
    count: number;
    running: () => boolean;
  },
  process: (entries: StreamEntry[]) => Promise<void>,
): Promise<void> {
  let cursor = "0-0";
  do {
    const [next, entries] = (await redis.xautoclaim(
      options.stream,
      options.group,
      options.consumer,
      options.idleMs,
      cursor,
      "COUNT",
      options.count,
    )) as [string, [string, string[] | null][]];
    const live = entries.filter((entry): entry is StreamEntry => entry[1] !== null);
    if (live.length > 0) await process(live);
    cursor = next;
  } while (cursor !== "0-0" && options.running());
}

/** How long stopping a blocking reader waits for its loop at most. */
const STOP_WAIT_MS = 5_000;

/**
 * Stops a loop blocked in reads on its own connection: disconnects it and waits for the loop, a bounded time: a read
 * queued while the connection was re-connecting (Redis restarted) may never settle after `disconnect()`.
 */
export async function stopBlockingReader(connection: Redis, loop: Promise<void> | null): Promise<void> {
  connection.disconnect();
  await Promise.race([loop?.catch(() => {}), Bun.sleep(STOP_WAIT_MS)]);
}
