import { afterEach, describe, it } from 'vitest';
import { RedisBroker } from '../../src/broker/redis/redis-broker.js';
import { runBrokerConformance } from '../../src/testing/index.js';
import { REDIS_URL, unique } from '../helpers/env.js';

const vitest = { describe, it, afterEach };

// kombu's Redis transport (capabilities: no exchange-to-exchange bindings, kombu's priority order, no message TTL)
runBrokerConformance(vitest, 'redis (kombu transport)', () => new RedisBroker({ url: REDIS_URL, globalKeyprefix: `${unique('conf')}:` }));
