import { afterEach, describe, it } from 'vitest';
import { MemoryBroker } from '../../src/index.js';
import { runBrokerConformance } from '../../src/testing/index.js';

const vitest = { describe, it, afterEach };

runBrokerConformance(vitest, 'memory', () => new MemoryBroker());
