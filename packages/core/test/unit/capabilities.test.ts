/**
 * Brokers are told apart by what they declare, not by `kind`: a transport that declares
 * native delayed delivery gets long ETAs parked through its `delayedDelivery()`, one that does
 * not keeps them held, and a broker that declares nothing is read with the defaults.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runBrokerConformance } from '../../src/testing/index.js';
import {
  capabilitiesOf, createApp, DEFAULT_CAPABILITIES, MemoryBroker, type BrokerCapabilities, type CeleriacApp, type DelayedDelivery, type Delivery,
} from '../../src/index.js';
import { silent, until } from '../helpers/env.js';

/** The memory broker plus an in-process delay: park() acks, then republishes the message to its queue after `seconds`. */
class DelayingBroker extends MemoryBroker {
  override readonly capabilities: BrokerCapabilities = { ...new MemoryBroker().capabilities, nativeDelayedDelivery: true };
  readonly parked: number[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  delayedDelivery(): DelayedDelivery {
    return {
      park: async (d: Delivery, seconds: number) => {
        this.parked.push(seconds);
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          void this.publish({ exchange: '', routingKey: d.queue }, { body: d.body, properties: d.properties });
        }, seconds * 1000);
        this.#timers.add(timer);
        d.ack();
      },
    };
  }

  override async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    await super.close();
  }
}

// the conformance suite's delayed-delivery test, on a transport other than RabbitMQ
runBrokerConformance({ describe, it, afterEach }, 'memory with an in-process delay', () => new DelayingBroker());

let app: CeleriacApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('broker capabilities', () => {
  it('parks an ETA past maxHeldEtaSeconds through the broker that declares native delayed delivery, and runs it when it comes back', async () => {
    const broker = new DelayingBroker();
    app = createApp({ broker, backend: 'memory://', logger: silent });
    app.task('later', () => 'ran');
    const worker = app.worker({ maxHeldEtaSeconds: 1 });
    await worker.start();
    const r = await app.sendTask<string>('later', [], {}, { countdown: 1.5 });
    await until(() => broker.parked.length === 1);
    expect(worker.scheduled.size).toBe(0);
    expect(broker.parked[0]).toBeGreaterThan(1);
    expect(await r.get({ timeout: 10_000 })).toBe('ran');
    expect(broker.parked).toHaveLength(1);
    await worker.stop();
  });

  it('holds the ETA in the worker when the app turns native delayed delivery off', async () => {
    const broker = new DelayingBroker();
    app = createApp({ broker, backend: 'memory://', logger: silent, nativeDelayedDelivery: false });
    app.task('later', () => 'ran');
    const worker = app.worker({ maxHeldEtaSeconds: 1 });
    await worker.start();
    await app.sendTask('later', [], {}, { countdown: 30 });
    await until(() => worker.scheduled.size === 1);
    expect(broker.parked).toEqual([]);
    await worker.stop();
  });

  it('reads a broker that declares nothing with the defaults, and the memory broker as in-process', () => {
    expect(capabilitiesOf({})).toBe(DEFAULT_CAPABILITIES);
    expect(DEFAULT_CAPABILITIES).toMatchObject({ nativeDelayedDelivery: false, shared: true, livePrefetch: true });
    expect(capabilitiesOf(new MemoryBroker())).toMatchObject({ shared: false, nativeDelayedDelivery: false, exchangeBindings: false });
  });
});
