/**
 * What an AMQP field table (message headers, queue and consumer arguments) holds on the Node
 * side, and the type rules that keep it readable by py-amqp (Python Celery, kombu, Flower)
 * and by RabbitMQ, which re-encodes headers when it dead-letters a message or redelivers one
 * from a quorum queue.
 *
 * | JavaScript value                                | tag | why |
 * |---|---|---|
 * | `null` (`undefined` in an array)                | `V` | |
 * | `boolean`                                       | `t` | |
 * | `string`                                        | `S` | long string, UTF-8 |
 * | integer in −2^31 … 2^31−1 (`number` or `bigint`) | `I` | never `b`/`s`: py-amqp reads `b` unsigned and `s` as a short *string* |
 * | integer in 2^31 … 2^63−1                        | `l` | py-amqp reads `l` unsigned, RabbitMQ signed: both get the value right, and RabbitMQ keeps `l` when it re-encodes |
 * | integer in −2^63 … −2^31−1                      | `L` | py-amqp reads `L` signed; RabbitMQ re-encodes it as `l` (see below) |
 * | other finite `number`, `-0`, \|n\| ≥ 2^63       | `d` | double |
 * | `NaN`, `±Infinity`                              | —   | refused: RabbitMQ 3.10 closes the connection (541 INTERNAL_ERROR) on a non-finite double |
 * | `bigint` beyond ±2^63                           | —   | refused: no AMQP integer holds it, and py-amqp cannot either |
 * | `Buffer` / `Uint8Array`                         | `x` | byte array |
 * | `Date`                                          | `T` | whole seconds |
 * | array                                           | `A` | |
 * | other object                                    | `F` | nested table |
 * | `{ '!': 'decimal', value: { places, digits } }` | `D` | |
 * | `{ '!': 'timestamp' \| 'float' \| 'double' \| 'int' \| 'long', value }` | `T` `f` `d` `I` `l`/`L` | amqplib's explicit-type form |
 *
 * Known limit: RabbitMQ stores every 64-bit integer as `l` when it re-encodes a header table, and
 * py-amqp ≤ 5.3 reads `l` as unsigned, so a header below −2^31 reaches Python as n + 2^64 after a
 * dead-letter hop or a quorum-queue redelivery. Put such numbers in the body.
 *
 * Decoding reads every tag py-amqp, kombu and RabbitMQ write (`L` included): 64-bit integers as
 * a `number` when they are safe integers and a `bigint` otherwise (as the JSON codec does), `S`
 * that is not UTF-8 as a `Buffer` (as py-amqp does), `T` as a `Date`, `D` in the
 * `{ '!': 'decimal' }` form. It never throws: a table it cannot read (unknown tag, truncated
 * value) comes back with what could be read, marked with the reason (see {@link undecodableFields}).
 */

/** The explicit-type form amqplib documents (`{ '!': type, value }`). */
export type TypedFieldValue =
  | { '!': 'decimal'; value: { places: number; digits: number } }
  | { '!': 'timestamp'; value: number | bigint | Date }
  | { '!': 'float' | 'double'; value: number }
  | { '!': 'int' | 'long'; value: number | bigint };

export type FieldValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | Date
  | Buffer
  | Uint8Array
  | TypedFieldValue
  | readonly FieldValue[]
  | { readonly [key: string]: FieldValue | undefined };

export const INT32_MIN = -0x80000000;
export const INT32_MAX = 0x7fffffff;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Why a field table could not be read in full, and its bytes as they arrived. */
export interface UndecodableFields {
  readonly reason: string;
  readonly raw: Buffer;
}

/**
 * Marks a decoded table that is incomplete. `Symbol.for` so the ESM and CommonJS builds of this
 * package (both may be loaded in one process) agree on it.
 */
export const UNDECODABLE_FIELDS: unique symbol = Symbol.for('@celeriac/core:undecodable-fields') as never;

/** The reason a decoded table is incomplete, or `undefined` when it was read in full. */
export function undecodableFields(table: unknown): UndecodableFields | undefined {
  if (typeof table !== 'object' || table === null) return undefined;
  return (table as { [UNDECODABLE_FIELDS]?: UndecodableFields })[UNDECODABLE_FIELDS];
}

/** `"timelimit"[0]`, `"stamps"."a"`: where in a table a value sits, for error messages. */
export function formatFieldPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? JSON.stringify(p) : `.${JSON.stringify(p)}`)).join('');
}
