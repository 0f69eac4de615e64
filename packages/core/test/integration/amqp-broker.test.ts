import { afterEach, describe, it } from 'vitest';
import { AmqpBroker } from '../../src/index.js';
import { runBrokerConformance } from '../../src/testing/index.js';
import { AMQP_URL } from '../helpers/env.js';

const vitest = { describe, it, afterEach };

runBrokerConformance(vitest, 'amqp (RabbitMQ)', () => new AmqpBroker({ url: AMQP_URL }));
