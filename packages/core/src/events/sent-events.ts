/** `task-sent` events from a producer (Celery's `task_send_sent_event`), sent from `gen<pid>@host`. */
import type { CeleriacApp } from '../app.js';
import type { SentInfo } from '../producer/producer.js';
import { EventDispatcher } from './event-dispatcher.js';

export class SentEvents {
  readonly #dispatcher: EventDispatcher;

  constructor(private readonly app: CeleriacApp) {
    this.#dispatcher = new EventDispatcher(app, app.producer.origin);
  }

  sent(info: SentInfo): void {
    void this.#dispatcher.send('task-sent', {
      uuid: info.id, root_id: info.rootId, parent_id: info.parentId, name: info.name, args: info.argsrepr, kwargs: info.kwargsrepr,
      retries: info.retries, eta: info.eta, expires: info.expires, queue: info.queue, exchange: info.exchange, routing_key: info.routingKey,
    }).catch((err: unknown) => this.app.logger.debug(`task-sent event not sent: ${(err as Error).message}`));
  }
}
