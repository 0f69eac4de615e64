/** One suite for every Codec: round-trips JSON-shaped values, names its content type, rejects garbage with DecodeError. */
import { describe, expect, it } from 'vitest';
import { DecodeError, type Codec } from '../../src/index.js';

export function runCodecConformance(name: string, create: () => Codec): void {
  describe(`Codec conformance: ${name}`, () => {
    const codec = create();
    const samples: unknown[] = [
      null, true, 0, -1.5, 2 ** 53 - 1, 'ünïcødé ✓ 日本', '', [], {}, [1, 'two', null, [3], { four: 4 }],
      { nested: { deep: { list: [1, 2, { x: null }] } }, 'key with spaces': 'v', __proto__x: 1 },
      [[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }],
    ];

    it('has a name, a content type and an encoding', () => {
      expect(codec.name).toMatch(/^[a-z0-9-]+$/);
      expect(codec.contentType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
      expect(codec.contentEncoding.length).toBeGreaterThan(0);
    });

    it('round-trips JSON-shaped values', () => {
      for (const v of samples) expect(codec.decode(codec.encode(v))).toEqual(v);
    });

    it('encodes to a Buffer', () => {
      expect(Buffer.isBuffer(codec.encode({ a: 1 }))).toBe(true);
    });

    it('rejects an undecodable body with DecodeError', () => {
      expect(() => codec.decode(Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37]))).toThrow(DecodeError);
    });
  });
}
