import { MemoryStore } from './memory-store.js';
import { describeScheduleStore } from './schedule-store.cases.js';

describeScheduleStore('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
