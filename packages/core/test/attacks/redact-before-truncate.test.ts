import { randomUUID } from 'node:crypto';
import { httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CITIZEN_ID_MASK,
  completeThaiId,
  type HttpError,
  REDACTED,
  redactPreview,
  registerSecret,
  Transport,
  unregisterSecret,
} from '../../src/index.js';
import { recoverableDigits, renderings } from '../helpers/renderings.js';

/**
 * Redact before truncating: an error keeps the first 2,048 characters of a response body. Cut first and
 * redacted afterwards, a citizen ID that straddles the cut loses its 13th digit, no longer looks like an
 * ID, and stays: 12 digits are enough, the check digit restores the 13th. A secret cut in half the same.
 */

const ID = completeThaiId('140990054321');
const PREVIEW = 2048;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function failingWith(body: string): Promise<HttpError> {
  const s: TestServer = await httpServer((_req, res) => {
    res.statusCode = 400;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(body);
  });
  cleanups.push(() => s.close());
  const t = new Transport({ baseUrl: s.url, retry: false }, { name: '@thgov/test', version: '0.0.0' });
  cleanups.push(() => t.close());
  return (await t.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as HttpError;
}

describe('redact before truncate', () => {
  const spellings: Record<string, string[]> = {
    plain: [...ID],
    dashed: [...ID].map((d, i) => ([0, 4, 9, 11].includes(i) ? `${d}-` : d)),
    'percent-encoded': [...ID].map((d) => `%3${d}`),
  };
  for (const [name, units] of Object.entries(spellings)) {
    for (const keep of [12, 11, 8]) {
      it(`a ${name} citizen ID cut after ${keep} of its digits is masked, not cut`, async () => {
        const head = units.slice(0, keep).join('').length;
        const body = `${'x'.repeat(PREVIEW - head)}${units.join('')}${' tail'.repeat(600)}`;
        const err = await failingWith(body);
        expect(err.response?.truncated).toBe(true);
        expect(err.response?.body.length).toBeLessThanOrEqual(PREVIEW);
        expect(recoverableDigits(renderings(err))).not.toContain(ID.slice(0, 8));
      });
    }
  }

  it('a registered secret cut by the preview is masked, not half-shown', async () => {
    const secret = `consumer-secret-${randomUUID()}`;
    registerSecret(secret, { kind: 'credential' });
    cleanups.push(() => unregisterSecret(secret));
    const err = await failingWith(`${'y'.repeat(PREVIEW - 20)}${secret}${' tail'.repeat(100)}`);
    expect(err.response?.body).not.toContain(secret.slice(0, 20));
    expect(renderings(err)).not.toContain(secret.slice(0, 20));
  });

  it('redactPreview masks first and cuts after, on any text', () => {
    const text = `${'z'.repeat(90)}${ID}`;
    expect(redactPreview(text, 100)).toBe(`${'z'.repeat(90)}${CITIZEN_ID_MASK.slice(0, 10)}`);
    expect(recoverableDigits(redactPreview(text, 100))).toBe('');
    const secret = `s3cr3t-${randomUUID()}`;
    registerSecret(secret, { kind: 'credential' });
    cleanups.push(() => unregisterSecret(secret));
    expect(redactPreview(`abc ${secret} def`, 12)).toBe(`abc ${REDACTED.slice(0, 8)}`);
    expect(redactPreview('short', 100)).toBe('short');
  });
});
