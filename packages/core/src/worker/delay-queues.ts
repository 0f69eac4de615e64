/**
 * Long ETAs without holding deliveries. RabbitMQ closes a channel that keeps a delivery
 * unacknowledged past its consumer timeout (30 min by default), so a task due later than
 * `maxHeldEtaSeconds` is parked instead: the unchanged message is republished to
 * `<queue>.delay.<level>`, a queue whose fixed TTL is 2^level seconds and whose dead-letter
 * route leads back to `<queue>`. Each hop lands the message back with less than half the wait
 * left, until the worker can hold it. The message itself is untouched, so a Python worker
 * sharing the queue sees an ordinary ETA task.
 */
import type { Delivery } from '../broker/broker.js';
import type { CeleriacApp } from '../app.js';

export function delayLevel(waitSeconds: number): number {
  return Math.max(0, Math.min(31, Math.floor(Math.log2(Math.max(1, waitSeconds)))));
}

export class DelayQueues {
  readonly #declared = new Map<string, Promise<void>>();

  constructor(private readonly app: CeleriacApp) {}

  queueName(queue: string, level: number): string {
    return `${queue}.delay.${level}`;
  }

  /** Parks the delivery's message for about `waitSeconds` (at most), then acks it. */
  async park(delivery: Delivery, waitSeconds: number): Promise<void> {
    const level = delayLevel(waitSeconds);
    const name = this.queueName(delivery.queue, level);
    let declared = this.#declared.get(name);
    if (!declared) {
      const args: Record<string, unknown> = {
        'x-message-ttl': 2 ** level * 1000,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': delivery.queue,
      };
      if (this.app.options.quorumQueues) args['x-queue-type'] = 'quorum';
      declared = this.app.broker.declareQueue({ name, durable: true, autoDelete: false, arguments: args });
      declared.catch(() => this.#declared.delete(name));
      this.#declared.set(name, declared);
    }
    await declared;
    const properties = { ...delivery.properties };
    delete properties.expiration;
    await this.app.broker.publish({ exchange: '', routingKey: name }, { body: delivery.body, properties });
    delivery.ack();
  }
}
