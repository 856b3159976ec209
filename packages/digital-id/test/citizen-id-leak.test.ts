/**
 * A provider whose `sub` is the 13-digit citizen ID (ThaID) and whose `pid` arrives dashed, through every
 * failure a quirky provider can cause: the ID (in any spelling), the code and the tokens appear in no error
 * (message, JSON, inspect, stack, cause), no log line at debug level, and no span, event or metric.
 */
import { inspect } from 'node:util';
import { captureLogger } from '@thgov/testkit';
import { type OtelHarness, startOtel } from '@thgov/testkit/otel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DigitalIdClient } from '../src/index.js';
import { failure, REDIRECT } from './helpers.js';
import { type QuirkAnswer, type QuirkProvider, quirkClient, startQuirkProvider } from './quirk-provider.js';

const CITIZEN_ID = '1234567890121';
const DASHED = '1-2345-67890-12-1';
const OTHER = '3101700000001';
const CODE = 'quirk-code-0123456789';
const ACCESS = 'quirk-access-leak-0123456789';
const spellings = [CITIZEN_ID, DASHED, '1 2345 67890 12 1', OTHER, CODE, ACCESS];

let op: QuirkProvider;
let otel: OtelHarness;
const clients: DigitalIdClient[] = [];
const { logger, lines } = captureLogger();
beforeAll(async () => {
  otel = startOtel({ global: true });
  op = await startQuirkProvider();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  op.claims = {};
  op.token = undefined;
  op.userinfo = undefined;
});
afterAll(async () => {
  await op.close();
  await otel.close();
});

const now = () => Math.floor(Date.now() / 1000);
const tokens =
  (claims: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  (): QuirkAnswer => ({
    status: 200,
    body: {
      access_token: ACCESS,
      token_type: 'Bearer',
      expires_in: 300,
      id_token: op.idToken(claims),
      ...extra,
    },
  });

const cases: Array<[string, () => void]> = [
  [
    'nonce mismatch',
    () => {
      op.claims = { nonce: 'another-login' };
    },
  ],
  [
    'audience mismatch',
    () => {
      op.claims = { aud: 'another-client' };
    },
  ],
  [
    'azp of another client',
    () => {
      op.claims = { aud: [op.clientId, 'x'], azp: 'x' };
    },
  ],
  [
    'expired',
    () => {
      op.claims = { exp: now() - 3600, iat: now() - 4000 };
    },
  ],
  [
    'iat far ahead',
    () => {
      op.claims = { iat: now() + 3600, exp: now() + 4000 };
    },
  ],
  [
    'auth_time as a string',
    () => {
      op.claims = { auth_time: String(now()) };
    },
  ],
  [
    'another issuer',
    () => {
      op.claims = { iss: 'https://evil.example' };
    },
  ],
  [
    'userinfo for another person',
    () => {
      op.userinfo = () => ({ status: 200, body: { sub: OTHER, pid: OTHER } });
    },
  ],
  [
    'userinfo with another pid',
    () => {
      op.userinfo = () => ({ status: 200, body: { sub: CITIZEN_ID, pid: OTHER } });
    },
  ],
  [
    'userinfo 401 challenge',
    () => {
      op.userinfo = () => ({
        status: 401,
        body: '',
        headers: {
          'www-authenticate': `Bearer error="invalid_token", error_description="token ${ACCESS} of ${DASHED}"`,
        },
      });
    },
  ],
  [
    'token error echoing the ID and code',
    () => {
      op.token = () => ({
        status: 400,
        body: { error: 'invalid_grant', error_description: `code ${CODE} for ${DASHED} (${CITIZEN_ID})` },
      });
    },
  ],
  [
    'HTTP 200 error echoing them',
    () => {
      op.token = () => ({
        status: 200,
        body: { error: 'access_denied', error_description: `citizen ${DASHED} code ${CODE}` },
      });
    },
  ],
  [
    'text/plain error echoing them',
    () => {
      op.token = () => ({
        status: 400,
        type: 'text/plain',
        body: { error: 'invalid_grant', error_description: `${CITIZEN_ID} ${CODE}` },
      });
    },
  ],
  [
    'an object error_description',
    () => {
      op.token = () => ({
        status: 400,
        body: { error: 'invalid_grant', error_description: { pid: CITIZEN_ID, code: CODE } },
      });
    },
  ],
  [
    'HTML 500 page echoing them',
    () => {
      op.token = () => ({ status: 500, type: 'text/html', body: `<p>${CITIZEN_ID} ${CODE}</p>` });
    },
  ],
  [
    'sub as a number',
    () => {
      op.token = tokens({ sub: Number(CITIZEN_ID) });
    },
  ],
];

describe('the citizen ID as sub never leaks through a failure', () => {
  it.each(cases)('%s', async (_label, arrange) => {
    op.claims = { sub: CITIZEN_ID, pid: DASHED };
    op.token = tokens({ sub: CITIZEN_ID, pid: DASHED });
    arrange();
    const c = quirkClient(op, clients, {
      provider: 'thaid',
      issuer: op.issuer,
      claimsSource: 'both',
      logger,
      logLevel: 'debug',
    });
    const req = await c.createLoginRequest();
    op.nonce = new URL(req.url).searchParams.get('nonce') ?? undefined;
    const err = await failure(() =>
      c.handleCallback(`${REDIRECT}?code=${CODE}&state=${req.state}`, { expectedState: req.state }),
    );
    expect(err.code).toMatch(/^ERR_DIGITAL_ID_/);
    const cause = err.cause as Error | undefined;
    const text = [
      err.message,
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      String(err.stack),
      String(cause?.message),
      String(cause?.stack),
      lines.join('\n'),
      otel.dump(),
    ].join('\n');
    for (const secret of spellings) expect(text).not.toContain(secret);
  });
});
