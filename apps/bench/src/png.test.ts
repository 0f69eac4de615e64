import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, FONT, Raster } from './png.js';

describe('png', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes a PNG whose chunks carry valid CRCs and whose pixels inflate back', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.string({ maxLength: 8 }), (w, h, label) => {
      const r = new Raster(w, h, [10, 20, 30]);
      r.fillRect(0, 0, 1, 1, [200, 100, 50]);
      r.text(0, 0, label, [0, 0, 0], 1);
      const png = r.toPng();
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      let off = 8;
      const idat: Buffer[] = [];
      const types: string[] = [];
      while (off < png.length) {
        const len = png.readUInt32BE(off);
        const type = png.toString('ascii', off + 4, off + 8);
        const body = png.subarray(off + 8, off + 8 + len);
        expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
        types.push(type);
        if (type === 'IDAT') idat.push(body);
        off += 12 + len;
      }
      expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
      const raw = inflateSync(Buffer.concat(idat));
      expect(raw.length).toBe(h * (w * 3 + 1));
      expect([...raw.subarray(0, 1)]).toEqual([0]);
      expect(raw.subarray(1, 4).equals(r.pixels.subarray(0, 3))).toBe(true);
    }), { numRuns: 50 });
  });

  it('has a 5x7 glyph for every letter and digit', () => {
    for (const [ch, glyph] of Object.entries(FONT)) expect(glyph, ch).toMatch(/^[.#]{35}$/);
    // every glyph inks at least one pixel: nothing falls back to a blank
    for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:/()-+%<>=_[]µ') {
      const g = new Raster(6, 7, [255, 255, 255]);
      g.text(0, 0, ch, [0, 0, 0], 1);
      expect(g.pixels.includes(0), ch).toBe(true);
    }
  });
});
