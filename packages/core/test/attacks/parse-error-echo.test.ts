import { captureLogger, httpServer, type TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  completeThaiId,
  type HttpError,
  isThGovError,
  parseJsonBody,
  ThGovError,
  Transport,
} from '../../src/index.js';
import { recoverableDigits, renderings } from '../helpers/renderings.js';

/**
 * Parse-error echo: V8's SyntaxError quotes the text it could not parse. Kept as the `cause` of
 * ERR_RESPONSE_PARSE, it carried the response body (names, IDs) into `cause`, `toJSON().cause`, the cause's
 * stack and every logger that walks causes (pino's err serializer does). The body itself is on the error
 * only as the documented, redacted `response` preview.
 */

const ID = completeThaiId('170990011223');
const NAME = 'สมหญิง';
const SURNAME = 'รักษ์ไทย';
// Bodies that are not JSON: V8 quotes the first characters (short bodies whole) in its message.
const BODIES = [`${NAME} ${SURNAME}`, `pid=${ID}`];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Everything but the `response` preview: message, stack, cause, and the JSON and inspect of both. */
function causeRenderings(err: unknown): string {
  const e = err as Error & { toJSON(): Record<string, unknown> };
  const json = { ...e.toJSON() };
  delete json.response;
  return [e.message, String(e.stack), JSON.stringify(json), renderings(e.cause)].join('\n');
}

function expectNoBody(text: string): void {
  expect(text).not.toContain(NAME);
  expect(text).not.toContain(SURNAME);
  expect(recoverableDigits(text)).not.toContain(ID.slice(0, 12));
}

describe('parse-error echo', () => {
  it('ERR_RESPONSE_PARSE from the transport carries no part of the body in its cause', async () => {
    const s: TestServer = await httpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(BODIES[Number(req.url?.slice(1))]);
    });
    cleanups.push(() => s.close());
    const { lines, logger } = captureLogger();
    const t = new Transport(
      { baseUrl: s.url, logger, logLevel: 'debug' },
      { name: '@thgov/t', version: '0' },
    );
    cleanups.push(() => t.close());
    for (const i of BODIES.keys()) {
      const err = (await t.request({ method: 'GET', path: `/${i}` }).catch((e: unknown) => e)) as HttpError;
      expect(isThGovError(err, 'ERR_RESPONSE_PARSE')).toBe(true);
      const cause = err.cause as Error;
      expect(cause).toBeInstanceOf(SyntaxError);
      // Still useful: what broke.
      expect(cause.message).toMatch(/JSON/);
      logger.error('parse failed', { cause });
      expectNoBody([causeRenderings(err), ...lines].join('\n'));
    }
  });

  it('parseJsonBody and any ThGovError built on a SyntaxError sanitise the cause', () => {
    for (const body of BODIES) {
      let parseError: unknown;
      try {
        parseJsonBody(Buffer.from(body));
      } catch (e) {
        parseError = e;
      }
      expect(isThGovError(parseError, 'ERR_RESPONSE_PARSE')).toBe(true);
      expectNoBody(causeRenderings(parseError));

      let raw: unknown;
      try {
        JSON.parse(body);
      } catch (e) {
        raw = e;
      }
      const wrapped = new ThGovError('ERR_INVALID_CONFIG', 'config file is not JSON', { cause: raw });
      expectNoBody(causeRenderings(wrapped));
      expect((wrapped.cause as Error).name).toBe('SyntaxError');
    }
  });
});
