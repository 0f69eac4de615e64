import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckBatcher, type AckOp } from './ack-batcher.js';

/** What RabbitMQ does with the ops, with its channel errors as thrown errors. */
class ServerChannel {
  readonly unacked = new Set<number>();
  readonly settledCount = new Map<number, number>();
  nextTag = 1;

  deliver(): number {
    const tag = this.nextTag++;
    this.unacked.add(tag);
    return tag;
  }

  apply(op: AckOp, allowed: ReadonlySet<number>): void {
    if (!this.unacked.has(op.tag)) throw new Error(`PRECONDITION_FAILED - unknown delivery tag ${op.tag}`);
    const covered = op.multiple ? [...this.unacked].filter((t) => t <= op.tag) : [op.tag];
    for (const t of covered) {
      // an ack must only ever settle deliveries whose outcome the worker recorded
      if (!allowed.has(t)) throw new Error(`ack ${JSON.stringify(op)} settles tag ${t}, which was not acked by the worker`);
      this.unacked.delete(t);
      this.settledCount.set(t, (this.settledCount.get(t) ?? 0) + 1);
    }
  }

  reject(tag: number): void {
    if (!this.unacked.delete(tag)) throw new Error(`PRECONDITION_FAILED - unknown delivery tag ${tag}`);
    this.settledCount.set(tag, (this.settledCount.get(tag) ?? 0) + 1);
  }
}

type Step =
  | { kind: 'deliver'; seen: boolean }
  | { kind: 'ack'; pick: number }
  | { kind: 'reject'; pick: number }
  | { kind: 'flush' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), seen: fc.oneof({ weight: 19, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
);

describe('AckBatcher', () => {
  it('settles every acked delivery exactly once, only after its ack, and never one still running or never seen', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
      const server = new ServerChannel();
      const batcher = new AckBatcher();
      const open: number[] = []; // seen here, not settled by the worker yet
      const acked = new Set<number>(); // the worker recorded an outcome and called ack
      const unseen = new Set<number>(); // delivered by the server, never reached this channel's consumer
      const flush = () => {
        for (const op of batcher.flush()) server.apply(op, acked);
        expect(batcher.pending).toBe(0);
      };
      for (const s of steps) {
        if (s.kind === 'deliver') {
          const tag = server.deliver();
          if (s.seen) {
            batcher.delivered(tag);
            open.push(tag);
          } else {
            unseen.add(tag);
          }
        } else if (s.kind === 'ack' || s.kind === 'reject') {
          if (open.length === 0) continue;
          const [tag] = open.splice(s.pick % open.length, 1) as [number];
          if (s.kind === 'ack') {
            acked.add(tag);
            batcher.ack(tag);
          } else {
            server.reject(tag);
            batcher.settledNow(tag);
          }
        } else {
          flush();
        }
      }
      flush();
      for (const tag of acked) expect(server.settledCount.get(tag), `tag ${tag}`).toBe(1);
      for (const tag of open) expect(server.unacked.has(tag), `running tag ${tag}`).toBe(true);
      for (const tag of unseen) expect(server.unacked.has(tag), `unseen tag ${tag}`).toBe(true);
      for (const count of server.settledCount.values()) expect(count).toBe(1);
    }), { numRuns: 2000 });
  });

  it('sends one multiple ack for a contiguous settled range', () => {
    const b = new AckBatcher();
    for (let t = 1; t <= 5; t++) b.delivered(t);
    expect(b.ack(2)).toBe(true);
    expect(b.ack(1)).toBe(false);
    b.ack(3);
    b.ack(5);
    expect(b.flush()).toEqual([{ tag: 3, multiple: true }, { tag: 5, multiple: false }]);
    b.ack(4);
    expect(b.flush()).toEqual([{ tag: 4, multiple: false }]);
  });

  it('refuses a second ack of the same delivery and tags that do not increase', () => {
    const b = new AckBatcher();
    b.delivered(1);
    b.ack(1);
    expect(() => b.ack(1)).toThrow(RangeError);
    expect(() => b.delivered(1)).toThrow(RangeError);
    b.flush();
    expect(() => b.ack(1)).toThrow(RangeError);
  });
});
