import { MemoryBroker } from '../../src/index.js';
import { runBrokerConformance } from '../conformance/broker-conformance.js';

runBrokerConformance('memory', () => new MemoryBroker());
