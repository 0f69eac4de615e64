/** The tasks module of the pool tests: each pool child imports it (`tasksModule`, the CLI's `-A`). */
import { fileURLToPath } from 'node:url';

export const POOL_TASKS = fileURLToPath(new URL('../fixtures/pool/pool-tasks.mjs', import.meta.url));
