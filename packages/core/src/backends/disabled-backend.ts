/** The backend used with `backend: null`: sending works, waiting for a result explains why it cannot. */
import { ConfigurationError } from '../errors/task-errors.js';
import type { ResultMeta } from '../protocol/result-meta.js';
import { newId } from '../util/ids.js';
import type { ResultBackend } from './result-backend.js';

export class DisabledBackend implements ResultBackend {
  readonly kind = 'disabled';
  readonly supportsChords = false;
  readonly #oid = newId();
  async prepareClient(): Promise<string> {
    return this.#oid;
  }
  async store(): Promise<void> {}
  async get(): Promise<ResultMeta | null> {
    return null;
  }
  async wait(): Promise<ResultMeta> {
    throw new ConfigurationError('no result backend configured: createApp({ backend: "rpc://" | "redis://..." }) to wait for results');
  }
  async forget(): Promise<void> {}
  async exists(): Promise<boolean> {
    return false;
  }
  async close(): Promise<void> {}
}
