import { randomUUID } from 'node:crypto';
import { captureLogger, httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { registerSecret, Transport, unregisterSecret } from '../../src/index.js';
import { renderings } from '../helpers/renderings.js';

/**
 * Secret spellings: a registered secret was masked as sent, but a server that echoes it re-encoded spells it
 * differently: percent escapes in lower-case hex (`%2f`, as RFC 3986 allows and several gateways write), or
 * JSON that escapes every non-ASCII character (`\u00e9`, Python's json.dumps and Jackson's ESCAPE_NON_ASCII).
 * Each spelling reached the error's body preview, message and the debug log in clear.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const ascii = (json: string, upper: boolean) =>
  json.replace(/[^ -~]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  });

/** The ways a gateway echoes the secret back that were not masked before. */
function echoes(secret: string): Record<string, string> {
  const json = JSON.stringify(secret).slice(1, -1);
  return {
    'lower-case percent escapes': encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'lower-case form escapes': new URLSearchParams({ s: secret })
      .toString()
      .slice(2)
      .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'ASCII-only JSON, lower-case hex': ascii(json, false),
    'ASCII-only JSON, upper-case hex': ascii(json, true),
  };
}

describe('a secret echoed in another spelling', () => {
  it('is masked in the error and the log line of a failed call', async () => {
    const secret = `Sécret/${randomUUID()}+ü=`;
    registerSecret(secret);
    cleanups.push(() => unregisterSecret(secret));
    const spelled = echoes(secret);
    const s: TestServer = await httpServer((req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`invalid consumer secret: ${spelled[decodeURIComponent(req.url?.slice(1) ?? '')]}`);
    });
    cleanups.push(() => s.close());
    const { lines, logger } = captureLogger();
    const t = new Transport(
      { baseUrl: s.url, logger, logLevel: 'debug', retry: false },
      { name: '@thgov/t', version: '0' },
    );
    cleanups.push(() => t.close());
    for (const [name, text] of Object.entries(spelled)) {
      const err = await t
        .request({ method: 'GET', path: `/${encodeURIComponent(name)}` })
        .catch((e: unknown) => e);
      const seen = renderings(err, lines);
      expect(seen, name).toContain('invalid consumer secret');
      expect(seen, name).not.toContain(text);
      expect(seen, name).not.toContain(randomPart(secret));
    }
  });
});

/** The UUID inside the secret: no spelling may leave it readable. */
function randomPart(secret: string): string {
  return secret.slice(secret.indexOf('/') + 1, secret.indexOf('+'));
}
