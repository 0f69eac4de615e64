import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createCodecRegistry, createJsonCodec, DecodeError } from '../../src/index.js';
import { runCodecConformance } from '../../src/testing/index.js';

const vitest = { describe, it, afterEach };

runCodecConformance(vitest, 'json', () => createJsonCodec());
runCodecConformance(vitest, 'json with kombu 5.3 type markers', () => createJsonCodec({ typeMarkers: true }));

describe('compression header (kombu 5.2 to 5.6)', () => {
  const codecs = createCodecRegistry();
  const body = deflateSync(Buffer.from('[[1], {}, {}]'));

  it('undoes zlib under the type kombu writes and the names it also accepts', () => {
    for (const name of ['application/x-gzip', 'zlib', 'gzip']) {
      expect(codecs.decode('application/json', body, name), name).toEqual([[1], {}, {}]);
    }
    expect(codecs.decode('application/json', Buffer.from('[2]'), undefined)).toEqual([2]);
  });

  it('refuses a compression it cannot undo with a DecodeError naming it', () => {
    expect(() => codecs.decode('application/json', body, 'application/x-bz2')).toThrow(DecodeError);
    expect(() => codecs.decode('application/json', body, 'application/x-bz2')).toThrow(/unsupported compression "application\/x-bz2"/);
  });
});
