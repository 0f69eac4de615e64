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
