/** `task-sent` events from a producer (Celery's `task_send_sent_event`), sent from `gen<pid>@host`. */
import type { EventsContext } from '../context.js';
import type { SentInfo } from '../producer/producer.js';
import { EventDispatcher } from './event-dispatcher.js';

export class SentEvents {
  readonly #dispatcher: EventDispatcher;

  /** `origin`: the producer's node name (`gen<pid>@host`), the events' hostname. */
  constructor(private readonly app: EventsContext, origin: string) {
    this.#dispatcher = new EventDispatcher(app, origin);
  }

  sent(info: SentInfo): void {
    void this.#dispatcher.send('task-sent', {
      uuid: info.id, root_id: info.rootId, parent_id: info.parentId, name: info.name, args: info.argsrepr, kwargs: info.kwargsrepr,
      retries: info.retries, eta: info.eta, expires: info.expires, queue: info.queue, exchange: info.exchange, routing_key: info.routingKey,
    }).catch((err: unknown) => this.app.logger.debug(`task-sent event not sent: ${(err as Error).message}`));
  }
}
