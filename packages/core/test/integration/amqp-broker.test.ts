import { afterEach, describe, it } from 'vitest';
import { AmqpBroker } from '../../src/index.js';
import { runBrokerConformance } from '../../src/testing/index.js';
import { AMQP_URL } from '../helpers/env.js';

const vitest = { describe, it, afterEach };

runBrokerConformance(vitest, 'amqp (RabbitMQ)', () => new AmqpBroker({ url: AMQP_URL }));
// per-consumer QoS, as with quorum queues: a new prefetch does not reach a running consumer (capabilities.livePrefetch false)
runBrokerConformance(vitest, 'amqp with per-consumer QoS', () => new AmqpBroker({ url: AMQP_URL, globalQos: false }));
