import { CeleriacError, ErrorCode } from './base-error.js';

/** The broker connection is closed (by `close()`, or it could not be established). */
export class ConnectionClosedError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CONNECTION_CLOSED, message, options);
  }
}

/** The broker refused a publish (nack, unroutable mandatory message, channel error). */
export class PublishError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.PUBLISH_FAILED, message, options);
  }
}

/** The broker is unreachable and the offline publish buffer is full (by count or by bytes): nothing was sent. */
export class BufferFullError extends CeleriacError {
  readonly limit: number;
  readonly unit: 'messages' | 'bytes';
  constructor(limit: number, unit: 'messages' | 'bytes' = 'messages') {
    super(ErrorCode.BUFFER_FULL, `broker unavailable and the publish buffer is full (${limit} ${unit}); nothing was sent`);
    this.limit = limit;
    this.unit = unit;
  }
}

/** `ack()` / `reject()` was called on a delivery that was already settled. */
export class DeliveryAlreadySettledError extends CeleriacError {
  constructor(how: string) {
    super(ErrorCode.ALREADY_SETTLED, `delivery already settled (${how})`);
  }
}
