import { CeleriacError, ErrorCode } from './base-error.js';

/** A value could not be serialized (for example a `Symbol`, or bytes without type markers). */
export class EncodeError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.ENCODE, message, options);
  }
}

/** A message body could not be decoded with its declared content type. */
export class DecodeError extends CeleriacError {
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
