/** The proto.* tasks (shared with apps/interop-node) registered on a test app. */
// @ts-expect-error plain JS module shared with the CLI interop app
import { registerProtoTasks as register } from '../../../../apps/interop-node/proto-tasks.mjs';
import type { CeleriacApp } from '../../src/index.js';

export function registerProtoTasks(app: CeleriacApp): { close(): Promise<void> } {
  return (register as (a: CeleriacApp) => { close(): Promise<void> })(app);
}
