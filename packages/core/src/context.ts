/**
 * The small views of the app its collaborators receive instead of the app itself, so that
 * `app.ts` (the composition root) is imported by nobody but the CLI and the index. A
 * `CeleriacApp` satisfies each of them; tests may pass a plain object.
 */
import type { Broker } from './broker/broker.js';
import type { CodecRegistry } from './serialization/codec-registry.js';
import type { Logger } from './util/logger.js';

/** A broker, the codecs to read and write its messages, and where to log. */
export interface BrokerContext {
  readonly broker: Broker;
  readonly codecs: CodecRegistry;
  readonly logger: Logger;
}

/** What Celery events need: the event exchange (`celeryev`). */
export interface EventsContext extends BrokerContext {
  readonly options: { readonly eventExchange: string };
}

/** What remote control needs: the control exchange namespace (`celery` → `celery.pidbox`). */
export interface ControlContext extends BrokerContext {
  readonly options: { readonly controlExchange: string };
}
