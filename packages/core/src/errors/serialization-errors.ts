import { CeleriacError, ErrorCode } from './base-error.js';

/**
 * A value could not be serialized (for example a `Map`, a circular object, or bytes without
 * type markers). Stored in results as kombu's `kombu.exceptions.EncodeError`, as a Python worker
 * stores a result it cannot encode.
 */
export class EncodeError extends CeleriacError {
  readonly excType = 'EncodeError';
  readonly excModule = 'kombu.exceptions';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.ENCODE, message, options);
  }
}

/** A message body could not be decoded with its declared content type (kombu's `DecodeError`). */
export class DecodeError extends CeleriacError {
  readonly excType = 'DecodeError';
  readonly excModule = 'kombu.exceptions';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.DECODE, message, options);
  }
}

/** The content type is not on the accept list (pickle is never accepted). */
export class ContentDisallowedError extends CeleriacError {
  readonly contentType: string;
  constructor(contentType: string, accept: readonly string[]) {
    super(
      ErrorCode.CONTENT_DISALLOWED,
      `refusing to decode content type ${JSON.stringify(contentType)}: accepted types are ${accept.join(', ')}`,
    );
    this.contentType = contentType;
  }
}
