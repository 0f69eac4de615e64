import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScheduleStoreError } from '../errors.js';
import { FileStore } from './file-store.js';
import { describeScheduleStore } from './schedule-store.cases.js';

describeScheduleStore('FileStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'celeriac-beat-store-'));
  const path = join(dir, 'state.json');
  return {
    store: new FileStore({ path }),
    reopen: async () => new FileStore({ path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FileStore on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-beat-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a versioned JSON document and leaves no temporary file behind', async () => {
    const path = join(dir, 'state.json');
    const store = new FileStore({ path });
    await store.claim('nightly', undefined, { lastRunAt: 1_780_000_000_000, totalRunCount: 0 });
    await store.claim('nightly', { lastRunAt: 1_780_000_000_000, totalRunCount: 0 }, { lastRunAt: 1_780_086_400_000, totalRunCount: 1 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, entries: { nightly: { lastRunAt: 1_780_086_400_000, totalRunCount: 1 } } });
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('refuses a file that is not its format, rather than starting over silently', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"entries": ');
    await expect(new FileStore({ path }).load()).rejects.toBeInstanceOf(ScheduleStoreError);
    await writeFile(path, JSON.stringify({ version: 99, entries: {} }));
    await expect(new FileStore({ path }).load()).rejects.toMatchObject({ code: 'BEAT_STORE' });
  });

  it('reports a write it cannot make, and keeps working afterwards', async () => {
    const store = new FileStore({ path: join(dir, 'missing-dir', 'state.json') });
    await expect(store.claim('e', undefined, { lastRunAt: 1, totalRunCount: 0 })).rejects.toBeInstanceOf(ScheduleStoreError);
    expect(await store.load()).toEqual(new Map());
  });

  it('sees what another process wrote before it claims', async () => {
    const path = join(dir, 'state.json');
    const mine = new FileStore({ path });
    const theirs = new FileStore({ path });
    await mine.claim('e', undefined, { lastRunAt: 1, totalRunCount: 0 });
    await theirs.claim('e', { lastRunAt: 1, totalRunCount: 0 }, { lastRunAt: 2, totalRunCount: 1 });
    expect(await mine.claim('e', { lastRunAt: 1, totalRunCount: 0 }, { lastRunAt: 2, totalRunCount: 1 })).toBe(false);
  });
});
