import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostFormat, nodeFormat } from './node-format.js';

describe('Celery name templates', () => {
  it('expands -n against the machine name', () => {
    expect(hostFormat('w1@%h', 'box.example.com')).toBe('w1@box.example.com');
    expect(hostFormat('%n-%d', 'box.example.com')).toBe('box-example.com');
    expect(hostFormat('w1@%h', 'box')).toBe('w1@box');
    expect(hostFormat('100%%@%h', 'box')).toBe('100%@box');
  });

  it('expands file names against the node name', () => {
    expect(nodeFormat('/var/run/%n.pid', 'w1@box.example.com')).toBe('/var/run/w1.pid');
    expect(nodeFormat('%h-%i%I.log', 'w1@box')).toBe('box-0.log');
    expect(nodeFormat('%n.log', 'plain')).toBe('plain.log');
  });

  it('leaves text without templates unchanged and never leaves a known template behind', () => {
    fc.assert(fc.property(fc.string(), fc.string({ minLength: 1 }).filter((s) => !s.includes('%') && !s.includes('@')), (text, host) => {
      const plain = text.replace(/%/g, '');
      expect(hostFormat(plain, host)).toBe(plain);
      expect(hostFormat(`${plain}%h`, host)).toBe(plain + host);
    }), { numRuns: 300 });
  });
});
