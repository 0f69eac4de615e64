import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../errors/serialization-errors.js';
import { createCodecRegistry, ZLIB_COMPRESSION } from './codec-registry.js';

describe('compressed bodies', () => {
  it('refuses a zlib bomb without inflating it: 100 MB from ~100 KB, stopped at the limit', () => {
    const bomb = deflateSync(Buffer.from(`[["${'a'.repeat(100 * 1024 * 1024)}"], {}, null]`));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const codecs = createCodecRegistry();
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    expect(() => codecs.decode('application/json', bomb, ZLIB_COMPRESSION)).toThrow(DecodeError);
    expect(() => codecs.decode('application/json', bomb, ZLIB_COMPRESSION)).toThrow(/inflates past the limit of 16777216 bytes/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('inflates bodies up to maxInflatedBytes', () => {
    const body = deflateSync(Buffer.from('[[1, 2], {}, null]'));
    expect(createCodecRegistry({ maxInflatedBytes: 18 }).decode('application/json', body, ZLIB_COMPRESSION)).toEqual([[1, 2], {}, null]);
    expect(() => createCodecRegistry({ maxInflatedBytes: 17 }).decode('application/json', body, ZLIB_COMPRESSION)).toThrow(DecodeError);
  });
});
