import { createHash } from "node:crypto";
import type Redis from "ioredis";

/**
 * A Lua script run by EVALSHA, falling back to EVAL once when Redis does not know it yet (after a restart or
 * SCRIPT FLUSH). The scripts exist where a step must be atomic or must use the Redis clock (`TIME`), so that
 * delays do not depend on the skew between worker machines.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.call("EVALSHA", this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.call("EVAL", this.source, keys.length, ...keys, ...args);
    }
  }
}

// Shared Lua helpers. `maxLength` "0" means no trimming on this XADD.
const LUA_HELPERS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function xadd(key, max_length, fields)
  if tonumber(max_length) > 0 then
    return redis.call('XADD', key, 'MAXLEN', '~', max_length, '*', unpack(fields))
  end
  return redis.call('XADD', key, '*', unpack(fields))
end
local function tail(from)
  local fields = {}
  for i = from, #ARGV do fields[#fields + 1] = ARGV[i] end
  return fields
end
`;

/**
 * Enqueue with an idempotency key and/or a delay.
 * KEYS: stream, delayed, idempotency key. ARGV: maxLength, delayMs, idempotencyTtlMs (0 = no key), messageId,
 * fields…. Returns `{1, messageId}` when added, `{0, firstMessageId}` for a duplicate.
 */
export const enqueueScript = new LuaScript(`${LUA_HELPERS}
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  local existing = redis.call('GET', KEYS[3])
  if existing then return {0, existing} end
end
local fields = tail(5)
local delay = tonumber(ARGV[2])
if delay > 0 then
  redis.call('ZADD', KEYS[2], now_ms() + delay, cjson.encode(fields))
else
  xadd(KEYS[1], ARGV[1], fields)
end
if ttl > 0 then redis.call('SET', KEYS[3], ARGV[4], 'PX', ttl) end
return {1, ARGV[4]}
`);

/**
 * Moves due messages from the delayed set to the stream. Atomic, so consumers racing to promote never add a
 * message twice. KEYS: delayed, stream. ARGV: limit, maxLength.
 * Returns `{promoted, msUntilNextDue}` (-1 when nothing else is delayed).
 */
export const promoteScript = new LuaScript(`${LUA_HELPERS}
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  local ok, fields = pcall(cjson.decode, member)
  if ok and type(fields) == 'table' and #fields > 0 then xadd(KEYS[2], ARGV[2], fields) end
  redis.call('ZREM', KEYS[1], member)
end
local next_due = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if next_due[2] then return {#due, math.max(0, tonumber(next_due[2]) - now)} end
return {#due, -1}
`);

/**
 * Ends one delivery that did not succeed, only if this consumer still owns the entry (otherwise another consumer
 * reclaimed it and decides): acknowledges and deletes it, then re-adds the message to the stream, the delayed set
 * or the dead-letter stream. KEYS: stream, target. ARGV: group, consumer, entryId, mode (stream | delayed |
 * dead), maxLength or delayMs, fields…. Returns 1 when settled, 0 when the entry was no longer ours.
 */
export const settleScript = new LuaScript(`${LUA_HELPERS}
local owned = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #owned == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
local fields = tail(6)
if ARGV[4] == 'delayed' then
  redis.call('ZADD', KEYS[2], now_ms() + tonumber(ARGV[5]), cjson.encode(fields))
else
  xadd(KEYS[2], ARGV[5], fields)
end
return 1
`);

/**
 * Resets the idle time of an entry this consumer still owns (XCLAIM to itself with JUSTID, which leaves the
 * delivery count alone). KEYS: stream. ARGV: group, consumer, entryId. Returns 1, or 0 when not ours any more.
 */
export const heartbeatScript = new LuaScript(`
local owned = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #owned == 0 then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
`);

/** Extends a lease only while it still holds our token. KEYS: lease. ARGV: token, ttlMs. */
export const renewLeaseScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** Deletes a lease only while it still holds our token. KEYS: lease. ARGV: token. */
export const releaseLeaseScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
