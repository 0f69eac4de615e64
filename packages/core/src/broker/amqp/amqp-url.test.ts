import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../errors/task-errors.js';
import { redactUrl, scrub, splitUrls, urlSecrets, withConnectionParams } from './amqp-url.js';

describe('splitUrls', () => {
  it("splits Celery's ';' form, commas and arrays of either", () => {
    expect(splitUrls('amqp://a:1@h1;amqp://b:2@h2')).toEqual(['amqp://a:1@h1', 'amqp://b:2@h2']);
    expect(splitUrls('amqp://h1, amqps://h2')).toEqual(['amqp://h1', 'amqps://h2']);
    expect(splitUrls(['amqp://h1;amqp://h2', 'amqp://h3'])).toEqual(['amqp://h1', 'amqp://h2', 'amqp://h3']);
    expect(splitUrls('amqp://u:p;w@h/v?x=1,2')).toEqual(['amqp://u:p;w@h/v?x=1,2']); // only a following amqp:// splits
  });
});

describe('redactUrl and scrub', () => {
  it('hide the password of every URL in a list', () => {
    expect(redactUrl('amqp://a:s3cret@h1;amqp://b:t0p%2Fs@h2/vh')).toBe('amqp://a:***@h1;amqp://b:***@h2/vh');
    expect(redactUrl('amqp://h')).toBe('amqp://h');
  });

  it('take every password (as written and decoded, 4 characters or more) out of any text (property)', () => {
    const password = fc.string({ unit: fc.constantFrom(...'abcXYZ0189-_.~%!$'), minLength: 4, maxLength: 16 }).filter((p) => {
      try {
        return decodeURIComponent(p).length >= 4;
      } catch {
        return false; // urlSecrets keeps only the raw form then; covered below
      }
    });
    fc.assert(fc.property(fc.array(password, { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 20 }), (passwords, noise) => {
      const urls = passwords.map((p, i) => `amqp://user${i}:${p}@host${i}:5672/`);
      const decoded = passwords.map((p) => decodeURIComponent(p));
      const text = `cannot connect to ${urls.join(';')}: ${noise} ${decoded.join(' ')} ${passwords.join(',')}`;
      const out = scrub(text, urlSecrets(urls));
      for (const p of [...passwords, ...decoded]) expect(out).not.toContain(p);
    }), { numRuns: 500 });
  });

  it('keeps the raw form of a password that is not valid percent-encoding', () => {
    expect(urlSecrets(['amqp://u:ab%zz@h'])).toEqual(['ab%zz']);
  });

  it('leaves short passwords to the URL redaction alone, so addresses stay readable', () => {
    expect(urlSecrets(['amqp://u:1@127.0.0.1:1'])).toEqual([]);
    expect(scrub('connect ECONNREFUSED 127.0.0.1:1 (amqp://u:1@127.0.0.1:1)', [])).toBe('connect ECONNREFUSED 127.0.0.1:1 (amqp://u:***@127.0.0.1:1)');
  });
});

describe('withConnectionParams', () => {
  it('asks for a heartbeat and frameMax 131072 unless the URL sets them', () => {
    expect(withConnectionParams('amqp://h', 10)).toBe('amqp://h?heartbeat=10&frameMax=131072');
    expect(withConnectionParams('amqp://h/?heartbeat=5', 10)).toBe('amqp://h/?heartbeat=5&frameMax=131072');
    expect(withConnectionParams('amqp://h?frameMax=65536&heartbeat=0', 10)).toBe('amqp://h?frameMax=65536&heartbeat=0');
  });

  it('refuses a frameMax RabbitMQ 4.1 would refuse', () => {
    for (const bad of ['4096', '8191', 'x', '']) expect(() => withConnectionParams(`amqp://h?frameMax=${bad}`, 10), bad).toThrow(ConfigurationError);
    expect(() => withConnectionParams('amqp://h?frameMax=8192', 10)).not.toThrow();
  });
});
