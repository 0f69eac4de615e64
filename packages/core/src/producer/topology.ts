/**
 * The app's view of its queues: declares task queues exactly as Python Celery does (durable
 * queue, direct exchange of the same name, binding with routing key = queue name), once per
 * queue, and the per-queue dead-letter queues the worker uses for bad messages.
 */
import type { Broker } from '../broker/broker.js';

export interface QueueOptions {
  /** `x-max-priority` for every task queue (Celery's `task_queue_max_priority`). */
  maxPriority?: number;
  /** Declare task queues as quorum queues (Celery 5.5's `x-queue-type: quorum`). */
  quorum?: boolean;
}

export class Topology {
  readonly #declared = new Map<string, Promise<void>>();
  /** Queues whose declaration has completed: only these may be published to without waiting. */
  readonly #ready = new Set<string>();

  constructor(private readonly broker: Broker, private readonly options: QueueOptions = {}) {}

  /**
   * True once the queue's declaration finished. A declaration merely started is not enough:
   * a message published to the default exchange before its queue exists is silently dropped.
   */
  isDeclared(queue: string): boolean {
    return this.#ready.has(queue);
  }

  taskQueueArguments(): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    if (this.options.maxPriority !== undefined) args['x-max-priority'] = this.options.maxPriority;
    if (this.options.quorum) args['x-queue-type'] = 'quorum';
    return args;
  }

  ensureTaskQueue(queue: string): Promise<void> {
    let p = this.#declared.get(queue);
    if (!p) {
      p = (async () => {
        await this.broker.declareExchange({ name: queue, type: 'direct', durable: true, autoDelete: false });
        await this.broker.declareQueue({ name: queue, durable: true, autoDelete: false, arguments: this.taskQueueArguments() });
        await this.broker.bindQueue({ queue, exchange: queue, routingKey: queue });
        this.#ready.add(queue);
      })();
      p.catch(() => this.#declared.delete(queue));
      this.#declared.set(queue, p);
    }
    return p;
  }

  /** The dead-letter queue for a task queue: `<queue>.dlq`, durable, no arguments. */
  deadLetterQueueName(queue: string): string {
    return `${queue}.dlq`;
  }

  ensureDeadLetterQueue(queue: string): Promise<void> {
    const name = this.deadLetterQueueName(queue);
    let p = this.#declared.get(name);
    if (!p) {
      p = this.broker.declareQueue({ name, durable: true, autoDelete: false, arguments: this.options.quorum ? { 'x-queue-type': 'quorum' } : {} });
      p.catch(() => this.#declared.delete(name));
      this.#declared.set(name, p);
    }
    return p;
  }
}
