/**
 * Celeriac's own instance of amqplib, with Celeriac's field-table codec in place of amqplib's.
 *
 * amqplib picks the smallest integer tag for a header (`b`, `s`), which py-amqp misreads and
 * which kills Python workers, and it throws on the `L` tag py-amqp writes for large integers,
 * which drops the connection before the message can be settled. Both live in `lib/codec.js`,
 * whose two functions `lib/defs.js` copies into module variables when it first loads. So the
 * codec has to be swapped before anything else of amqplib loads, in an instance of its own:
 * this module loads amqplib's files afresh (with `createRequire`, outside the shared module
 * cache), patches the fresh `codec.js`, loads the rest on top, and leaves the cache as it was.
 * An application's own `import 'amqplib'` keeps the stock behaviour.
 *
 * Upgrading amqplib: bump the pin in package.json, then run `src/broker/amqp/amqplib-compat.test.ts`.
 * The self-check below refuses to start if the swap no longer reaches amqplib's frame encoder
 * or decoder, instead of silently sending headers Python cannot read.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type * as Amqplib from 'amqplib';
import { ConfigurationError } from '../../errors/task-errors.js';
import { decodeFields } from '../../protocol/field-table/decode-field-table.js';
import { encodeTable } from '../../protocol/field-table/encode-field-table.js';

/** The amqplib version this module was written against and is tested with. */
export const AMQPLIB_VERSION = '2.3.1';

interface Codec {
  encodeTable: typeof encodeTable;
  decodeFields: typeof decodeFields;
}

/** The part of amqplib's `lib/defs.js` (frame encoding and decoding) used here and in tests. */
export interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: object): Buffer;
  decode(id: number, buffer: Buffer): Record<string, unknown>;
  encodeProperties(id: number, channel: number, size: number, fields: object): Buffer;
  BasicProperties: number;
  BasicDeliver: number;
}

export interface PatchedAmqplib {
  readonly amqp: typeof Amqplib;
  readonly version: string;
  /** The frame codec of this instance (what the connection uses), for tests. */
  readonly defs: AmqplibDefs;
  /** The frame multiplexer of this instance (its socket writes are corked), for tests. */
  readonly Mux: new (out: NodeJS.WritableStream) => { _readIncoming(): void; pipeFrom(s: NodeJS.ReadableStream): void };
}

let loaded: PatchedAmqplib | null = null; // a cache of loaded code, not application state

/** Celeriac's amqplib, loaded and checked on first use. */
export function patchedAmqplib(): PatchedAmqplib {
  loaded ??= load();
  return loaded;
}

function load(): PatchedAmqplib {
  const requireHere = createRequire(import.meta.url); // tsup shims import.meta.url in the CommonJS build
  const entry = requireHere.resolve('amqplib');
  const root = dirname(entry);
  const lib = join(root, 'lib');
  const cache = requireHere.cache;
  const ours = (key: string) => key.startsWith(root + sep);
  const saved = new Map<string, NodeModule>();
  for (const key of Object.keys(cache)) {
    if (ours(key)) {
      saved.set(key, cache[key]!);
      delete cache[key];
    }
  }
  try {
    const codec = requireHere(join(lib, 'codec.js')) as Codec;
    codec.encodeTable = encodeTable;
    codec.decodeFields = decodeFields;
    const mux = requireHere(join(lib, 'mux.js')) as { Mux: MuxClass };
    corkWrites(mux);
    const amqp = requireHere(entry) as typeof Amqplib;
    const defs = requireHere(join(lib, 'defs.js')) as AmqplibDefs;
    const { version } = requireHere(join(root, 'package.json')) as { version: string };
    selfCheck(defs, version);
    return { amqp, version, defs, Mux: mux.Mux as unknown as PatchedAmqplib['Mux'] };
  } finally {
    for (const key of Object.keys(cache)) if (ours(key)) delete cache[key];
    for (const [key, module] of saved) cache[key] = module;
  }
}

interface MuxClass {
  prototype: { out: { cork?(): void; uncork?(): void }; _readIncoming(): void };
}

/**
 * amqplib's multiplexer moves the frames that channels queued (publishes, acks) to the socket
 * once per event-loop turn, one `socket.write` each: one system call per frame. Corking the
 * socket for that loop sends them as one `writev` instead (same bytes, same order; the socket's
 * high-water mark still stops the loop and `drain` resumes it). A publish-heavy profile had
 * ~15% of its time in those writes.
 */
function corkWrites(mux: { Mux: MuxClass }): void {
  const proto = mux.Mux.prototype;
  const readIncoming = proto._readIncoming;
  proto._readIncoming = function corked(this: MuxClass['prototype']): void {
    const out = this.out;
    if (typeof out.cork !== 'function' || typeof out.uncork !== 'function') return readIncoming.call(this);
    out.cork();
    try {
      readIncoming.call(this);
    } finally {
      out.uncork();
    }
  };
}

/** Encodes and decodes a header through amqplib's own frame code: both must be ours. */
function selfCheck(defs: AmqplibDefs, version: string): void {
  const frame = defs.encodeProperties(defs.BasicProperties, 1, 0, { headers: { n: 300, big: 2 ** 40 } });
  const tags = frame.includes(Buffer.from([1, 0x6e, 0x49])) && frame.includes(Buffer.from('big\x6c', 'latin1'));
  const wire = Buffer.from([0x00, 0x00, 0x00, 0x0b, 0x01, 0x4c, 0x4c, 0, 0, 0, 0x01, 0, 0, 0, 0]);
  let decoded: unknown;
  try {
    decoded = (defs.decode(defs.BasicProperties, Buffer.concat([Buffer.from([0x20, 0x00]), wire])).headers as { L?: unknown } | undefined)?.L;
  } catch {
    decoded = undefined;
  }
  if (!tags || decoded !== 2 ** 32) {
    throw new ConfigurationError(
      `amqplib ${version} does not take Celeriac's header codec (written for amqplib ${AMQPLIB_VERSION}); ` +
        'headers would not be readable by Python Celery. Install the amqplib version @celeriac/core pins.',
    );
  }
}
