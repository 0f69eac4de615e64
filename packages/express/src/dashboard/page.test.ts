import { describe, expect, it } from 'vitest';
import { DASHBOARD_SCRIPT } from './client-script.js';
import { jsonForScript, renderDashboard } from './page.js';

describe('renderDashboard', () => {
  it('escapes the config so a mount path cannot close the script element', () => {
    const page = renderDashboard({ base: '/x</script><script>alert(1)</script>', readOnly: true });
    expect(page.html).not.toContain('</script><script>alert(1)');
    expect(page.html).toContain('\\u003c/script\\u003e');
    const json = /<script type="application\/json" id="celeriac-config">(.*?)<\/script>/.exec(page.html)![1]!;
    expect(JSON.parse(json)).toEqual({ base: '/x</script><script>alert(1)</script>', readOnly: true, queues: [] });
  });

  it('uses a fresh nonce for the script and the style, and a CSP that allows only them', () => {
    const a = renderDashboard({ base: '', readOnly: false });
    const b = renderDashboard({ base: '', readOnly: false });
    const nonce = /'nonce-([^']+)'/.exec(a.csp)![1]!;
    expect(a.html).toContain(`<script nonce="${nonce}">`);
    expect(a.html).toContain(`<style nonce="${nonce}">`);
    expect(a.csp).not.toBe(b.csp);
    expect(a.csp).toContain("connect-src 'self'");
    expect(a.csp).not.toContain('unsafe-inline');
  });

  it('ships a browser script that parses and never uses innerHTML', () => {
    expect(() => new Function(DASHBOARD_SCRIPT)).not.toThrow();
    expect(DASHBOARD_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it('escapes line separators in JSON for scripts', () => {
    expect(jsonForScript({ a: '\u2028&>' })).toBe('{"a":"\\u2028\\u0026\\u003e"}');
  });
});
