import { AmqpBroker } from '../../src/index.js';
import { runBrokerConformance } from '../conformance/broker-conformance.js';
import { AMQP_URL } from '../helpers/env.js';

runBrokerConformance('amqp (RabbitMQ)', () => new AmqpBroker({ url: AMQP_URL }));
