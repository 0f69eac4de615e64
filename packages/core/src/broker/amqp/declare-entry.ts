/**
 * Declares one topology entry as the passive policy says, and copes with a user who may not:
 * when RabbitMQ refuses to declare a shared queue or exchange (ACCESS_REFUSED, no `configure`
 * permission), Celeriac checks whether it exists; if it does, it is used as it is and a warning
 * names the missing permission (once: the entry is then replayed as a check). A refused binding
 * of a shared queue is left to the admin the same way. What cannot be worked around (a private
 * queue refused, a shared one missing) is an error naming the permission.
 */
import type { Channel } from 'amqplib';
import { AccessRefusedError } from '../../errors/broker-errors.js';
import { toError } from '../../errors/base-error.js';
import { explainChannelError } from './explain-amqp-error.js';
import { declareAction, type DeclareAction } from './passive-policy.js';
import { apply, operationOf, type Entry, type Topology } from './topology.js';

export interface DeclareContext {
  readonly passive: boolean;
  readonly topology: Topology;
  /** The channel for declarations (a fresh one after a channel error). */
  channel(): Promise<Channel>;
  /** The channel died with an error: do not hand it out again. */
  dropChannel(channel: Channel): void;
  warn(message: string): void;
}

export async function declareEntry(ctx: DeclareContext, entry: Entry): Promise<void> {
  const queueOf = (name: string) => ctx.topology.queue(name);
  const action = declareAction(entry, ctx.passive, queueOf);
  const op = operationOf(entry);
  let done: DeclareAction = action;
  try {
    await run(ctx, entry, action);
  } catch (err) {
    const explained = explainChannelError(toError(err), op, ctx.passive);
    const shared = declareAction(entry, true, queueOf) !== 'declare';
    if (!(explained instanceof AccessRefusedError) || action !== 'declare' || !shared) throw explained;
    if (entry.kind === 'binding' || entry.kind === 'exchange-binding') {
      ctx.warn(`${explained.message}; leaving this binding to an admin`);
      done = 'skip';
    } else {
      try {
        await run(ctx, entry, 'check');
      } catch {
        throw new AccessRefusedError(explained.access, { cause: explained, detail: `and the ${entry.kind} does not exist, so an admin must declare it` });
      }
      ctx.warn(`${explained.message}; the ${entry.kind} exists, so it is used as it is (set amqp.passive to check it without trying to declare)`);
      done = 'check';
    }
  }
  ctx.topology.add(entry, done);
}

async function run(ctx: DeclareContext, entry: Entry, action: DeclareAction): Promise<void> {
  const channel = await ctx.channel();
  try {
    await apply(channel, entry, action);
  } catch (err) {
    ctx.dropChannel(channel); // a refused or failed declaration closes the channel
    throw err;
  }
}
