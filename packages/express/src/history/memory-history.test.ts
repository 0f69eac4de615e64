import { historyConformance } from '../../test/history-cases.js';
import { MemoryTaskHistory } from './memory-history.js';

historyConformance('memory', {
  make: async (bounds) => new MemoryTaskHistory(bounds),
  settle: async () => undefined,
});
