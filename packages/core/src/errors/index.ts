export { CeleriacError, ErrorCode, toError } from './base-error.js';
export { EncodeError, DecodeError, ContentDisallowedError } from './serialization-errors.js';
export {
  InvalidTaskMessageError,
  NotRegisteredError,
  MaxRetriesExceededError,
  TimeLimitExceededError,
  ConfigurationError,
} from './task-errors.js';
export { ResultTimeoutError, RemoteTaskError, ChordNotSupportedError } from './result-errors.js';
export {
  ConnectionClosedError, PublishError, BufferFullError, DeliveryAlreadySettledError, TlsError, AuthenticationError, AccessRefusedError, TopologyMissingError,
  type Permission, type RefusedAccess,
} from './broker-errors.js';
export { Retry, Reject, Ignore } from './task-control.js';
