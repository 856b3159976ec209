import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExchangeClient,
  type ExchangeClientOptions,
  type GdxAuditEvent,
  type GdxError,
  isGdxError,
} from '../../src/index.js';
import { RAW_CREDENTIALS, rejection, withRawClient } from '../helpers.js';

/**
 * Quirks of real GDX gateways and X-Road Security Servers, from a raw node:http server on 127.0.0.1:
 * the shapes a validate answer comes in, and an X-Road error whose header and body disagree.
 * Calls are counted, never timed.
 */

const CID = '1101700230708';
const TOKEN = 'c0ffee00-1234-4abc-8def-0123456789ab';
const PERSON = { firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300000' };

interface Reply {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

let server: Server;
let url = '';
let respond: (n: number) => Reply;
let validate: () => Reply;
let validates = 0;
let dataCalls = 0;
let dataTokens: (string | undefined)[];
let xroadIds: (string | undefined)[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    req.resume();
    req.on('end', () => {
      let r: Reply;
      if (path === '/ws/auth/validate') {
        validates++;
        r = validate();
      } else {
        dataCalls++;
        dataTokens.push(req.headers.token as string | undefined);
        xroadIds.push(req.headers['x-road-id'] as string | undefined);
        r = respond(dataCalls);
      }
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...r.headers });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  validates = 0;
  dataCalls = 0;
  dataTokens = [];
  xroadIds = [];
  respond = () => ({ body: JSON.stringify(PERSON) });
  validate = () => ({ body: JSON.stringify({ Result: TOKEN }) });
});

/** A client of this file's server for the citizen CID (see withRawClient). */
const withClient = <T>(
  run: (c: ExchangeClient) => Promise<T>,
  options: Partial<ExchangeClientOptions> = {},
) => withRawClient(url, run, { agentId: CID, ...options });

describe('validate answers a token in whichever shape the gateway uses', () => {
  const shapes: Record<string, Reply> = {
    'JSON string': { body: JSON.stringify(TOKEN) },
    'bare text (text/plain)': { body: TOKEN, headers: { 'content-type': 'text/plain' } },
    'bare text with a trailing newline': { body: `${TOKEN}\r\n`, headers: { 'content-type': 'text/plain' } },
    'JSON string with a BOM': { body: `\ufeff${JSON.stringify(TOKEN)}` },
    '{"Result"} with spaces around the token': { body: JSON.stringify({ Result: ` ${TOKEN} ` }) },
    '{"result"} with a line end after the token': { body: JSON.stringify({ result: `${TOKEN}\r\n` }) },
    'JSON string with a tab after the token': { body: JSON.stringify(`${TOKEN}\t`) },
  };
  for (const [name, reply] of Object.entries(shapes)) {
    it(`${name}: one validate, and the token is sent`, async () => {
      validate = () => reply;
      await withClient(async (c) => {
        await expect(c.getPerson({ citizenId: CID })).resolves.toBeDefined();
      });
      expect(validates).toBe(1);
      expect(dataTokens).toEqual([TOKEN]);
    });
  }

  it('a text body that is not token-shaped (HTML, a sentence, JSON) is no token: typed, bounded, nothing sent', async () => {
    for (const body of [
      '<html><body>Error</body></html>',
      'Service Unavailable',
      'Unauthorized',
      'ForbiddenException',
      '{"Result":null}',
      '""',
      'null',
    ]) {
      validate = () => ({ body, headers: { 'content-type': 'text/html' } });
      validates = 0;
      const err = (await withClient((c) => rejection(c.getPerson({ citizenId: CID })), {
        retry: { maxRetries: 1, baseDelayInMs: 1, maxDelayInMs: 5 },
      })) as unknown as GdxError;
      expect(isGdxError(err, 'ERR_GDX_AUTH'), body).toBe(true);
      expect(validates, body).toBe(2);
    }
    expect(dataTokens).toEqual([]);
  });

  it('a 200 {Code, Message} refusal is a typed ERR_GDX_AUTH that says the code, without the secret', async () => {
    validate = () => ({ body: JSON.stringify({ Code: 'E401', Message: 'Invalid ConsumerSecret' }) });
    const err = (await withClient((c) => rejection(c.getPerson({ citizenId: CID })), {
      retry: { maxRetries: 0 },
    })) as unknown as GdxError;
    expect(isGdxError(err, 'ERR_GDX_AUTH')).toBe(true);
    expect(err.providerCode).toBe('E401');
    expect(err.message).toMatch(/E401/);
    expect(err.message).toMatch(/Invalid ConsumerSecret/);
    expect(JSON.stringify(err)).not.toContain(RAW_CREDENTIALS.consumerSecret);
    expect(dataTokens).toEqual([]);
  });
});

describe('X-Road error: the X-Road-Error header decides, whatever the body says', () => {
  const xroad = (o: Partial<ExchangeClientOptions> = {}) => ({
    xroad: {
      client: 'TH/GOV/agency/app',
      services: { dopaLinkage: 'TH/GOV/DOPA/linkage/person' },
    },
    consumerKey: undefined,
    consumerSecret: undefined,
    ...o,
  });

  it('a Client.* header with a retryable-looking body type is not retried', async () => {
    respond = () => ({
      status: 400,
      body: JSON.stringify({ type: 'Server.ServerProxy.NetworkError', message: 'x' }),
      headers: { 'x-road-error': 'Client.BadRequest' },
    });
    const err = (await withClient(
      (c) => rejection(c.getPerson({ citizenId: CID })),
      xroad(),
    )) as unknown as GdxError;
    expect(isGdxError(err, 'ERR_GDX_XROAD')).toBe(true);
    expect(err.retryable).toBe(false);
    expect(err.xroadType).toBe('Client.BadRequest');
    expect(dataCalls).toBe(1);
  });

  it('a non-retryable Server.* header with a retryable-looking body type is not retried', async () => {
    respond = () => ({
      status: 500,
      body: JSON.stringify({ type: 'Server.ServerProxy.Timeout', message: 'x' }),
      headers: { 'x-road-error': 'Server.ServerProxy.ServiceFailed.HttpError' },
    });
    const err = (await withClient(
      (c) => rejection(c.getPerson({ citizenId: CID })),
      xroad(),
    )) as unknown as GdxError;
    expect(err.retryable).toBe(false);
    expect(dataCalls).toBe(1);
  });

  it('a header with a body that is not JSON: typed, the header type, retried only when that type is', async () => {
    respond = (n) =>
      n === 1
        ? {
            status: 500,
            body: '<html>Gateway</html>',
            headers: { 'x-road-error': 'Server.ServerProxy.NetworkError', 'content-type': 'text/html' },
          }
        : { body: JSON.stringify(PERSON) };
    await withClient(async (c) => {
      await expect(c.getPerson({ citizenId: CID })).resolves.toBeDefined();
    }, xroad());
    expect(dataCalls).toBe(2);
  });

  it('the audit keeps the X-Road-Id it sent when the answer echoes another', async () => {
    const events: GdxAuditEvent[] = [];
    respond = () => ({
      status: 500,
      body: JSON.stringify({ type: 'Server.ServerProxy.ServiceFailed.HttpError', message: 'x' }),
      headers: { 'x-road-error': 'Server.ServerProxy.ServiceFailed.HttpError', 'x-road-id': 'someone-else' },
    });
    await withClient(
      (c) => rejection(c.getPerson({ citizenId: CID }, { requestId: 'req-gwq-0001' })),
      xroad({ audit: { sink: { append: async (e) => void events.push(e) } } }),
    );
    expect(xroadIds).toEqual(['req-gwq-0001']);
    expect(events[0]?.extra?.xRoadId).toBe('req-gwq-0001');
  });
});

describe('IDs sent as JSON numbers', () => {
  it('a juristic ID sent as a number gets its leading zero back', async () => {
    respond = () => ({
      body: `{"ResultList":[{"JuristicID":105536000186,"JuristicName_TH":"บริษัท ทดสอบ จำกัด"}],"RawData":""}`,
    });
    const profile = await withClient((c) => c.getJuristicProfile({ juristicId: '0105536000186' }));
    expect(profile.juristicId).toBe('0105536000186');
  });

  it('a household member citizen ID sent as a number stays exact', async () => {
    respond = () => ({
      body: `{"houseID":10050123456,"members":[{"personalID":1101700230708,"firstName":"ก","lastName":"ข"}]}`,
    });
    const house = await withClient((c) => c.getHouseholdMembers({ citizenId: CID }));
    expect(house.members[0]?.citizenId).toBe('1101700230708');
    expect(house.houseId).toBe('10050123456');
  });

  it('an ID number beyond 2^53 (rounded by any JSON parser) is a typed schema error, not a wrong ID', async () => {
    respond = () => ({
      body: `{"houseID":123456789012345678901,"members":[{"personalID":1101700230708,"firstName":"ก","lastName":"ข"}]}`,
    });
    const err = (await withClient((c) =>
      rejection(c.getHouseholdMembers({ citizenId: CID })),
    )) as unknown as GdxError;
    expect(err.code).toBe('ERR_RESPONSE_SCHEMA');
    expect(dataCalls).toBe(1);
  });
});
