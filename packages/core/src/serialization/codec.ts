/**
 * A codec turns values into message bodies and back. The name is what users choose
 * (`serializer: 'json'`); the content type and encoding go on the wire.
 */
export interface Codec {
  readonly name: string;
  readonly contentType: string;
  readonly contentEncoding: string;
  encode(value: unknown): Buffer;
  decode(body: Buffer): unknown;
}
