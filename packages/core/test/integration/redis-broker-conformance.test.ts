import { RedisBroker } from '../../src/index.js';
import { runBrokerConformance } from '../conformance/broker-conformance.js';
import { REDIS_URL, unique } from '../helpers/env.js';

// kombu's Redis transport: lowest priority number first, no per-message TTL, fanout is PUB/SUB
runBrokerConformance('redis (kombu transport)', () => new RedisBroker({ url: REDIS_URL, globalKeyprefix: `${unique('conf')}:` }), {
  priority: 'lowest-first',
  messageTtl: false,
  fanout: 'subscribers',
});
