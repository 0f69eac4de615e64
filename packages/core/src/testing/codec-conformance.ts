/** One suite for every Codec: round-trips JSON-shaped values, names its content type, rejects garbage with DecodeError. */
import assert from 'node:assert/strict';
import { ErrorCode } from '../errors/base-error.js';
import type { Codec } from '../serialization/codec.js';
import { hasCode, type TestApi } from './test-api.js';

export function runCodecConformance(t: TestApi, name: string, create: () => Codec): void {
  t.describe(`Codec conformance: ${name}`, () => {
    const samples: unknown[] = [
      null, true, 0, -1.5, 2 ** 53 - 1, 'ünïcødé ✓ 日本', '', [], {}, [1, 'two', null, [3], { four: 4 }],
      { nested: { deep: { list: [1, 2, { x: null }] } }, 'key with spaces': 'v', __proto__x: 1 },
      [[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }],
    ];

    t.it('has a name, a content type and an encoding', () => {
      const codec = create();
      assert.match(codec.name, /^[a-z0-9-]+$/);
      assert.match(codec.contentType, /^[a-z]+\/[a-z0-9.+-]+$/);
      assert.ok(codec.contentEncoding.length > 0);
    });

    t.it('round-trips JSON-shaped values', () => {
      const codec = create();
      for (const v of samples) assert.deepStrictEqual(codec.decode(codec.encode(v)), v);
    });

    t.it('encodes to a Buffer', () => {
      assert.ok(Buffer.isBuffer(create().encode({ a: 1 })));
    });

    t.it('rejects an undecodable body with DecodeError', () => {
      assert.throws(() => create().decode(Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37])), hasCode(ErrorCode.DECODE));
    });
  });
}
