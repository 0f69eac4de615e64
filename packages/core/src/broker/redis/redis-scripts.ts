/**
 * The Lua the Redis broker runs, each one atomic on the server: routing a publish through a
 * direct exchange's binding set in one round trip, restoring an unacked message (moved back to
 * its queues only if nobody restored or acked it meanwhile), and releasing the restore mutex.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

interface Script {
  lua: string;
  sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * KEYS[1] binding set; ARGV: routing key, payload, key prefix, priority suffix, separator.
 * LPUSHes the payload onto every queue bound with that routing key; returns how many.
 */
export const ROUTE_DIRECT = script(`
local sep = ARGV[5]
local seen = {}
local n = 0
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local a = string.find(m, sep, 1, true)
  if a and string.sub(m, 1, a - 1) == ARGV[1] then
    local rest = string.sub(m, a + #sep)
    local b = string.find(rest, sep, 1, true)
    if b then
      local q = string.sub(rest, b + #sep)
      if q ~= '' and not seen[q] then
        seen[q] = true
        redis.call('LPUSH', ARGV[3] .. q .. ARGV[4], ARGV[2])
        n = n + 1
      end
    end
  end
end
return n
`);

/**
 * KEYS[1] unacked hash, KEYS[2] unacked index; ARGV: tag, the stored entry expected, payload to
 * push, 'L' (LPUSH, back of the queue) or 'R' (RPUSH, front), then the destination lists.
 * Moves the message back only if the hash still holds that entry; returns 1 if it did.
 */
export const RESTORE = script(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
if cur ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
local push = ARGV[4] == 'L' and 'LPUSH' or 'RPUSH'
for i = 5, #ARGV do redis.call(push, ARGV[i], ARGV[3]) end
return 1
`);

/** KEYS[1] the mutex; ARGV[1] our token. Deletes it only if we still hold it. */
export const RELEASE_MUTEX = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** EVALSHA, loading the script on NOSCRIPT (after a restart or SCRIPT FLUSH). */
export async function runScript(client: Redis, s: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!/NOSCRIPT/.test((err as Error).message)) throw err;
    return await client.eval(s.lua, keys.length, ...keys, ...args);
  }
}

/**
 * KEYS: the list keys in consume order, then the unacked hash, the index and a batch key unique
 * to this call; ARGV: most items, now (seconds), '1' to record them as unacked, the previous
 * batch key (deleted: its reply arrived). The result is kept under the batch key for 10 minutes,
 * so when the connection drops before the reply arrives, the client's resend of the very same
 * call gets the same batch instead of popping another. Pops up to that many (RPOP, kombu's end), records
 * each as kombu does (`[envelope, exchange, routing_key]` under its delivery tag, with the time)
 * in the same step, and returns key, item, entry, key, item, entry... (entry '' when not
 * recorded: not asked to, or the item is not an envelope). Lets a busy consumer take a batch in one round trip, with no moment
 * where a message is neither in its list nor in the unacked hash.
 */
export const POP_MANY = script(`
local nkeys = #KEYS - 3
local unacked, index, batch = KEYS[nkeys + 1], KEYS[nkeys + 2], KEYS[nkeys + 3]
local max, now, track = tonumber(ARGV[1]), ARGV[2], ARGV[3] == '1'
if ARGV[4] ~= '' then redis.call('DEL', ARGV[4]) end
local saved = redis.call('GET', batch)
if saved then return cjson.decode(saved) end
local out = {}
local n = 0
for i = 1, nkeys do
  while n < max do
    local item = redis.call('RPOP', KEYS[i])
    if not item then break end
    n = n + 1
    out[#out + 1] = KEYS[i]
    out[#out + 1] = item
    local stored = ''
    if track then
      local ok, env = pcall(cjson.decode, item)
      if ok and type(env) == 'table' and type(env.properties) == 'table' and type(env.properties.delivery_tag) == 'string' then
        local info = env.properties.delivery_info
        local ex, rk = '', ''
        if type(info) == 'table' then
          if type(info.exchange) == 'string' then ex = info.exchange end
          if type(info.routing_key) == 'string' then rk = info.routing_key end
        end
        local tag = env.properties.delivery_tag
        redis.call('ZADD', index, now, tag)
        stored = '[' .. item .. ', ' .. cjson.encode(ex) .. ', ' .. cjson.encode(rk) .. ']'
        redis.call('HSET', unacked, tag, stored)
      end
    end
    out[#out + 1] = stored
  end
  if n >= max then break end
end
if n > 0 then redis.call('SET', batch, cjson.encode(out), 'EX', 600) end
return out
`);
