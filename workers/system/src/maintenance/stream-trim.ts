import { streamKey } from "@opsc/contracts";
import { executionKeys } from "@opsc/streams";
import type { Redis, Result } from "ioredis";

/** How long stream entries are kept once nobody needs them any more. */
export interface StreamTrimPolicy {
  /**
   * Entries of the events stream and of streams read by consumer groups, older than this, are trimmed once every
   * group has had them delivered and acknowledged them.
   */
  retentionMs: number;
  /** Dead letters (`…:dead`, read by people, not groups) older than this are trimmed. */
  deadLetterRetentionMs: number;
  /** A run's live log stream is deleted when its last chunk is older than this (it normally expires an hour after). */
  liveLogRetentionMs: number;
}

export const DEFAULT_STREAM_TRIM_POLICY: StreamTrimPolicy = {
  retentionMs: 7 * 24 * 3600_000,
  deadLetterRetentionMs: 30 * 24 * 3600_000,
  liveLogRetentionMs: 24 * 3600_000,
};

/**
 * `events`: the domain events stream (a log; consumers may read it without a group). `dead_letters`: a task stream's
 * dead letters. `live_log`: a run's live output. `queue`: anything else (task streams, the reports stream): only its
 * consumer groups say what may go, so without a group nothing is trimmed.
 */
export type StreamKind = "events" | "dead_letters" | "live_log" | "queue";

export function classifyStream(prefix: string, key: string): StreamKind {
  if (key.startsWith(executionKeys(prefix).liveLog(""))) return "live_log";
  if (key === streamKey(prefix, "events")) return "events";
  if (key.endsWith(":dead")) return "dead_letters";
  return "queue";
}

/**
 * Trims a stream to what someone may still need, atomically (a group cannot move between the look and the trim):
 * the bound is the oldest entry a consumer group has pending, or for a group with nothing pending the entry after
 * the last one delivered to it, whichever group is furthest behind, and never past `now − retentionMs` (Redis
 * clock). `XTRIM MINID` removes entries strictly below it, so an entry not yet delivered to a group and
 * acknowledged stays. KEYS: stream. ARGV: retentionMs, "1" when the stream needs a group to be trimmed, mode
 * ("~": whole nodes, at most 10,000 entries; "=": exact). Returns `{removed, minid}`.
 */
const TRIM_SCRIPT = `
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local t = redis.call('TIME')
local min_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[1])
local min_seq = 0
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups == 0 and ARGV[2] == '1' then return {0, ''} end
for _, group in ipairs(groups) do
  local name, pending, last
  for i = 1, #group, 2 do
    if group[i] == 'name' then name = group[i + 1]
    elseif group[i] == 'pending' then pending = tonumber(group[i + 1])
    elseif group[i] == 'last-delivered-id' then last = group[i + 1] end
  end
  local ms, seq
  if pending > 0 then
    ms, seq = parse(redis.call('XPENDING', KEYS[1], name)[2])
  else
    ms, seq = parse(last)
    seq = seq + 1
  end
  if ms < min_ms or (ms == min_ms and seq < min_seq) then min_ms, min_seq = ms, seq end
end
if min_ms < 0 then return {0, ''} end
local minid = string.format('%.0f-%.0f', min_ms, min_seq)
local removed
if ARGV[3] == '~' then
  removed = redis.call('XTRIM', KEYS[1], 'MINID', '~', minid, 'LIMIT', 10000)
else
  removed = redis.call('XTRIM', KEYS[1], 'MINID', '=', minid)
end
return {removed, minid}
`;

/**
 * Deletes a run's live log stream when its newest entry is older than `now − retentionMs` (Redis clock), or when it
 * is empty; atomic, so a chunk appended meanwhile keeps it. KEYS: stream. ARGV: retentionMs. Returns 1 if deleted.
 */
const DELETE_STALE_SCRIPT = `
local t = redis.call('TIME')
local cutoff = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[1])
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 then
  local id = last[1][1]
  local ms = tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1))
  if ms >= cutoff then return 0 end
end
redis.call('DEL', KEYS[1])
return 1
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    opscTrimStream(
      key: string,
      retentionMs: number,
      needsGroup: "0" | "1",
      mode: "~" | "=",
    ): Result<[number, string], Context>;
    opscDeleteStaleStream(key: string, retentionMs: number): Result<number, Context>;
  }
}

function withScripts(redis: Redis): Redis {
  if ((redis as unknown as Record<string, unknown>).opscTrimStream === undefined) {
    redis.defineCommand("opscTrimStream", { numberOfKeys: 1, lua: TRIM_SCRIPT });
    redis.defineCommand("opscDeleteStaleStream", { numberOfKeys: 1, lua: DELETE_STALE_SCRIPT });
  }
  return redis;
}

/** Trims one stream (see {@link TRIM_SCRIPT}) in steps of whole nodes, then exactly; returns the entries removed. */
export async function trimStream(
  redis: Redis,
  key: string,
  options: { retentionMs: number; needsGroup: boolean },
  signal?: AbortSignal,
): Promise<number> {
  const client = withScripts(redis);
  const needsGroup = options.needsGroup ? "1" : "0";
  let removed = 0;
  // Whole nodes first, 10,000 entries at most per call, so that no single call holds Redis for long.
  for (;;) {
    const [count] = await client.opscTrimStream(key, options.retentionMs, needsGroup, "~");
    removed += Number(count);
    if (Number(count) === 0 || signal?.aborted) break;
  }
  const [rest] = await client.opscTrimStream(key, options.retentionMs, needsGroup, "=");
  return removed + Number(rest);
}

export interface TrimResult {
  streams: number;
  trimmed: Record<Exclude<StreamKind, "live_log">, number>;
  liveLogsDeleted: number;
}

/** Every stream under `prefix` (SCAN with TYPE stream), a page of keys at a time. */
async function* streamsUnder(redis: Redis, prefix: string): AsyncGenerator<string> {
  let cursor = "0";
  do {
    const [next, keys] = (await redis.scan(
      cursor,
      "MATCH",
      `${prefix}:*`,
      "COUNT",
      1000,
      "TYPE",
      "stream",
    )) as [string, string[]];
    cursor = next;
    for (const key of keys) yield key;
  } while (cursor !== "0");
}

/**
 * One pass over the deployment's streams: the events stream, dead letters and queues are trimmed to what a consumer
 * group or the policy still keeps; live log streams of long-finished runs (their TTL lost) are deleted. A stream
 * that disappears meanwhile is skipped.
 */
export async function trimStreams(
  redis: Redis,
  prefix: string,
  policy: StreamTrimPolicy,
  signal?: AbortSignal,
): Promise<TrimResult> {
  const result: TrimResult = {
    streams: 0,
    trimmed: { events: 0, dead_letters: 0, queue: 0 },
    liveLogsDeleted: 0,
  };
  for await (const key of streamsUnder(redis, prefix)) {
    if (signal?.aborted) break;
    result.streams++;
    const kind = classifyStream(prefix, key);
    try {
      if (kind === "live_log") {
        result.liveLogsDeleted += Number(
          await withScripts(redis).opscDeleteStaleStream(key, policy.liveLogRetentionMs),
        );
        continue;
      }
      result.trimmed[kind] += await trimStream(
        redis,
        key,
        {
          retentionMs: kind === "dead_letters" ? policy.deadLetterRetentionMs : policy.retentionMs,
          needsGroup: kind === "queue",
        },
        signal,
      );
    } catch (error) {
      // Deleted between the scan and the trim (an acknowledged queue emptied, a live log expired).
      if (/no such key/i.test(String((error as Error).message)) || !(await redis.exists(key))) continue;
      throw error;
    }
  }
  return result;
}
