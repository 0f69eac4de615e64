/**
 * A ScheduleStore in one Redis hash (field = entry name, value = JSON state), shared by every
 * beat of a cluster: the beat that takes over from a dead leader reads what the leader sent.
 * `claim()` is a Lua compare-and-set, so two beats can never both claim the same run.
 *
 * Bring your own client: an ioredis instance (`new Redis(url)`) fits `RedisStoreClient`.
 */
import { ScheduleStoreError } from '../errors.js';
import { toEntryState, type EntryState, type ScheduleStore } from './schedule-store.js';

/** The three commands the store uses; ioredis's `Redis` has them. */
export interface RedisStoreClient {
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
}

export interface RedisStoreOptions {
  client: RedisStoreClient;
  /** Hash holding the states. Give each schedule (each beat `name`) its own. @defaultValue 'celeriac:beat:default' */
  key?: string;
  /** `close()` also quits the client. @defaultValue false */
  closeClient?: boolean;
}

// KEYS[1] hash; ARGV: field, expected lastRunAt ('' = no state yet), expected totalRunCount, new JSON.
// A field that does not hold a valid state counts as "no state".
const CLAIM_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local state = nil
if cur then
  local ok, s = pcall(cjson.decode, cur)
  if ok and type(s) == 'table' and type(s.lastRunAt) == 'number' and type(s.totalRunCount) == 'number' then state = s end
end
if ARGV[2] == '' then
  if state then return 0 end
elseif not state or state.lastRunAt ~= tonumber(ARGV[2]) or state.totalRunCount ~= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
return 1
`;

export class RedisStore implements ScheduleStore {
  readonly key: string;
  readonly #client: RedisStoreClient;
  readonly #closeClient: boolean;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    this.#client = options.client;
    this.key = options.key ?? 'celeriac:beat:default';
    this.#closeClient = options.closeClient ?? false;
  }

  async load(): Promise<Map<string, EntryState>> {
    const raw = await this.#call('read', () => this.#client.hgetall(this.key));
    const out = new Map<string, EntryState>();
    for (const [name, text] of Object.entries(raw)) {
      const state = parseState(text);
      if (state) out.set(name, state);
    }
    return out;
  }

  async claim(name: string, expected: EntryState | undefined, next: EntryState): Promise<boolean> {
    const json = JSON.stringify({ lastRunAt: next.lastRunAt, totalRunCount: next.totalRunCount });
    const result = await this.#call('claim', () => this.#client.eval(
      CLAIM_SCRIPT, 1, this.key, name,
      expected === undefined ? '' : String(expected.lastRunAt),
      expected === undefined ? '' : String(expected.totalRunCount),
      json,
    ));
    return Number(result) === 1;
  }

  async remove(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.#call('remove', () => this.#client.hdel(this.key, ...names));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#closeClient) await this.#call('quit', () => this.#client.quit());
  }

  async #call<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new ScheduleStoreError(`redis ${what} of ${this.key} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

function parseState(text: string): EntryState | undefined {
  try {
    return toEntryState(JSON.parse(text));
  } catch {
    return undefined; // not JSON: the claim script treats it as "no state" too
  }
}
