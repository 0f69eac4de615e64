/**
 * Task history in Redis: durable across restarts and shared by every router that uses the same
 * Redis and prefix. Snapshots are written in batches (every `flushMs`, the latest per task), by
 * one Lua script that also keeps the bounds: entries older than `maxAgeSeconds` and, past
 * `maxBytes`, the oldest ones are removed with their per-state counts.
 *
 * Keys (prefix `celeriac:history:` by default): `<p>idx` (sorted set id → score), `<p>t:<id>`
 * (the JSON snapshot, with a TTL of `maxAgeSeconds`), `<p>size` and `<p>state` (hashes by id),
 * `<p>counts` (hash state → n), `<p>bytes` (total). Not for Redis Cluster (keys of one script
 * are not in one slot).
 */
import type { TrackedTask } from '../task-monitor.js';
import {
  HISTORY_DEFAULTS, ScoreClock, matchesQuery, secondsToScore, snapshotBytes,
  type HistoryBounds, type HistoryPage, type HistoryQuery, type TaskHistory,
} from './task-history.js';

/** The Redis commands the store uses; an ioredis client has them. */
export interface HistoryRedisClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  hgetall(key: string): Promise<Record<string, string>>;
  zrevrangebyscore(key: string, max: number | string, min: number | string, withScores: 'WITHSCORES', limit: 'LIMIT', offset: number, count: number): Promise<string[]>;
}

export interface RedisTaskHistoryOptions extends HistoryBounds {
  /** A connected client (e.g. `new Redis(url)` from ioredis); the store never closes it. */
  redis: HistoryRedisClient;
  /** Key prefix; routers with the same prefix share one history. @defaultValue 'celeriac:history:' */
  prefix?: string;
  /** Milliseconds between batched writes. @defaultValue 250 */
  flushMs?: number;
  /** Called when a batch could not be written (it is retried with the next one). */
  onError?: (err: Error) => void;
}

/** KEYS: idx, size, state, counts, bytes. ARGV: docPrefix, ttlMs, cutoffScore, maxBytes, then (id, json, score, state, bytes)… */
const UPSERT = `
local idx, size, st, counts, total = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local doc, ttl, cutoff, maxBytes = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local function drop(id)
  local b = tonumber(redis.call('HGET', size, id) or '0')
  local s = redis.call('HGET', st, id)
  if s then redis.call('HINCRBY', counts, s, -1) end
  redis.call('DEL', doc .. id)
  redis.call('HDEL', size, id)
  redis.call('HDEL', st, id)
  redis.call('ZREM', idx, id)
  redis.call('DECRBY', total, b)
end
for i = 5, #ARGV, 5 do
  local id, json, score, state, bytes = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4])
  local old = tonumber(redis.call('HGET', size, id) or '0')
  local prev = redis.call('HGET', st, id)
  if prev then redis.call('HINCRBY', counts, prev, -1) end
  redis.call('HINCRBY', counts, state, 1)
  redis.call('SET', doc .. id, json, 'PX', ttl)
  redis.call('ZADD', idx, score, id)
  redis.call('HSET', size, id, bytes)
  redis.call('HSET', st, id, state)
  redis.call('INCRBY', total, bytes - old)
end
local expired = redis.call('ZRANGEBYSCORE', idx, '-inf', '(' .. cutoff, 'LIMIT', 0, 1000)
for _, id in ipairs(expired) do drop(id) end
local guard = 0
while tonumber(redis.call('GET', total) or '0') > maxBytes and guard < 10000 do
  local oldest = redis.call('ZRANGE', idx, 0, 0)
  if #oldest == 0 then break end
  drop(oldest[1])
  guard = guard + 1
end
return redis.call('ZCARD', idx)
`;

/** Most snapshots read per query before it answers with what it found (the cursor continues). */
const MAX_SCAN = 5000;
const BATCH = 200;

export class RedisTaskHistory implements TaskHistory {
  readonly maxBytes: number;
  readonly maxAgeSeconds: number;
  readonly #redis: HistoryRedisClient;
  readonly #p: string;
  readonly #clock = new ScoreClock();
  readonly #pending = new Map<string, { json: string; state: string; score: number }>();
  readonly #flushMs: number;
  readonly #onError: (err: Error) => void;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: RedisTaskHistoryOptions) {
    this.#redis = options.redis;
    this.#p = options.prefix ?? 'celeriac:history:';
    this.maxBytes = Math.max(1024, options.maxBytes ?? HISTORY_DEFAULTS.maxBytes);
    this.maxAgeSeconds = Math.max(1, options.maxAgeSeconds ?? HISTORY_DEFAULTS.maxAgeSeconds);
    this.#flushMs = options.flushMs ?? 250;
    this.#onError = options.onError ?? (() => undefined);
  }

  record(task: TrackedTask): void {
    this.#pending.set(task.uuid, { json: JSON.stringify(task), state: task.state, score: this.#clock.next() });
    this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
  }

  /** Writes what is pending now (also done every `flushMs`). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending.size === 0) return this.#flushing;
    const batch = [...this.#pending];
    this.#pending.clear();
    this.#flushing = this.#flushing.then(() => this.#write(batch)).catch((err: unknown) => {
      for (const [id, v] of batch) if (!this.#pending.has(id)) this.#pending.set(id, v); // retried with the next batch
      this.#timer ??= setTimeout(() => void this.flush(), Math.max(1000, this.#flushMs));
      this.#onError(err instanceof Error ? err : new Error(String(err)));
    });
    return this.#flushing;
  }

  async query(q: HistoryQuery): Promise<HistoryPage> {
    await this.flush();
    const limit = Math.max(1, q.limit ?? HISTORY_DEFAULTS.limit);
    let max: string = q.cursor ? `(${Number(q.cursor)}` : q.to !== undefined ? String(secondsToScore(q.to + 0.001)) : '+inf';
    const min = q.from !== undefined ? String(secondsToScore(q.from)) : '-inf';
    const tasks: TrackedTask[] = [];
    let lastScore: string | null = null;
    for (let scanned = 0; scanned < MAX_SCAN;) {
      const page = await this.#redis.zrevrangebyscore(this.#k('idx'), max, min, 'WITHSCORES', 'LIMIT', 0, BATCH);
      if (page.length === 0) return { tasks, next: null };
      const ids = page.filter((_, i) => i % 2 === 0);
      const docs = await this.#redis.mget(...ids.map((id) => this.#k(`t:${id}`)));
      for (let i = 0; i < ids.length; i++) {
        const json = docs[i];
        const score = page[i * 2 + 1]!;
        if (json) {
          const t = JSON.parse(json) as TrackedTask;
          if (matchesQuery(t, q)) {
            if (tasks.length === limit) return { tasks, next: lastScore };
            tasks.push(t);
          }
        }
        lastScore = score;
      }
      scanned += ids.length;
      max = `(${lastScore}`;
      if (ids.length < BATCH) return { tasks, next: null };
    }
    return { tasks, next: lastScore };
  }

  async get(id: string): Promise<TrackedTask | null> {
    const pending = this.#pending.get(id);
    if (pending) return JSON.parse(pending.json) as TrackedTask;
    const json = await this.#redis.get(this.#k(`t:${id}`));
    return json ? (JSON.parse(json) as TrackedTask) : null;
  }

  async counts(): Promise<Record<string, number>> {
    await this.flush();
    const raw = await this.#redis.hgetall(this.#k('counts'));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]).filter(([, n]) => (n as number) > 0));
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async #write(batch: [string, { json: string; state: string; score: number }][]): Promise<void> {
    const args: (string | number)[] = [this.#k('t:'), this.maxAgeSeconds * 1000, secondsToScore(Date.now() / 1000 - this.maxAgeSeconds), this.maxBytes];
    for (const [id, v] of batch) args.push(id, v.json, v.score, v.state, snapshotBytes(v.json) + id.length);
    await this.#redis.eval(UPSERT, 5, this.#k('idx'), this.#k('size'), this.#k('state'), this.#k('counts'), this.#k('bytes'), ...args);
  }

  #k(suffix: string): string {
    return `${this.#p}${suffix}`;
  }
}
