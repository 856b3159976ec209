import { inspect } from 'node:util';
import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { HttpError, REDACTED, redactValue } from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { maskError, maskerFor } from '../../src/sensitive-values.js';
import { caught, transportHarness } from '../helpers/transport-harness.js';

/**
 * Limits that silently let data through or drop it.
 * - `maskerFor` read only the first 32 of a call's `sensitiveValues`: a batch call naming 40 people had the names
 *   from the 33rd on echoed in clear in its error.
 * - An object key `__proto__` (JSON.parse makes it an own key) was written with `out[key] = …`, which sets the
 *   copy's prototype instead: redactValue and the SafeLogger dropped the entry (data lost from a log line), and
 *   maskError's copy kept the ORIGINAL value under it (the masked one went to the prototype), in clear.
 */

const { serve, transport } = transportHarness();

// 40 distinct person-like values, none a substring of another.
const NAMES = Array.from({ length: 40 }, (_, i) => `Person${String.fromCharCode(65 + (i % 26))}${i}x`);

describe('maskerFor past 32 values', () => {
  it('masks every value a call gives, the 33rd and the 40th too', () => {
    const mask = maskerFor(NAMES) as (t: string) => string;
    const out = mask(`no match: ${NAMES.join(', ')} ${encodeURIComponent(NAMES[39] as string)}`);
    for (const name of NAMES) expect(out, name).not.toContain(name);
  });

  it('masks a longer value whole when a shorter one it holds comes first', () => {
    const many = [...NAMES.slice(0, 32), 'สมชาย', 'สมชาย ใจดี'];
    const mask = maskerFor(many) as (t: string) => string;
    expect(mask('ไม่พบ สมชาย ใจดี')).toBe(`ไม่พบ ${REDACTED}`);
  });

  it('keeps the 40th name out of an HTTP error built from the echoing server', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`unknown persons: ${NAMES.slice(30).join(' ')}`);
    });
    const t = transport({ baseUrl: s.url, retry: { maxRetries: 0 } });
    const err = await caught(
      t.request({ method: 'POST', path: '/batch', body: { json: { names: NAMES } }, sensitiveValues: NAMES }),
    );
    expect(err.code).toBe('ERR_HTTP');
    const seen = [JSON.stringify(err), inspect(err, { depth: 10 }), err.message, String(err.stack)].join(
      '\n',
    );
    for (const name of NAMES.slice(30)) expect(seen, name).not.toContain(name);
  });
});

describe('an own key named __proto__', () => {
  const parsed = () => JSON.parse('{"__proto__": {"note": "from server", "token": "t0k3n-abc"}, "b": 2}');

  it('redactValue keeps the entry as a plain own key, its fields redacted, and sets no prototype', () => {
    const out = redactValue(parsed()) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"note":"from server","token":"${REDACTED}"},"b":2}`);
  });

  it('the SafeLogger keeps it in the context it writes', () => {
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').warn('echo', { body: parsed() });
    const line = lines.join('\n');
    expect(line).toContain('from server');
    expect(line).not.toContain('t0k3n-abc');
  });

  // Guard: maskError copies a plain object by spreading it (own keys kept) before it writes masked values.
  it("maskError masks a sensitive value held under it in the error's fields", () => {
    const mask = maskerFor(['PersonSecretName']) as (t: string) => string;
    const err = Object.assign(new HttpError('ERR_HTTP', 'failed', { statusCode: 400 }), {
      detail: JSON.parse('{"__proto__": "PersonSecretName", "other": {"__proto__": ["PersonSecretName"]}}'),
    });
    maskError(err, mask);
    expect(JSON.stringify(err.detail)).toBe(
      `{"__proto__":"${REDACTED}","other":{"__proto__":["${REDACTED}"]}}`,
    );
  });
});
