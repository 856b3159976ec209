import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ExchangeClient, type GdxCallInput } from '../../src/index.js';
import { rejection } from '../helpers.js';

/*
 * The typed laser-code check masks the names, birth date and card code it sends wherever a server quotes them
 * back. The generic `call()` reaches the same services (DOPA's laser check, Linkage's POST variant with
 * `firstName`/`lastName`/`dateOfBirth`, any catalog service) and sends the same kind of values: an error
 * page or envelope echoing them must not carry them into the error either.
 */

const citizenId = '1101700230708';
const first = 'สมหญิง';
const last = 'รักษ์ไทย';
const laser = 'ME3141592653';
const birth = '25310229';

function serialize(err: unknown): string {
  const e = err as Error;
  return [JSON.stringify(err), inspect(err, { depth: 10 }), String(err), e.stack ?? '', e.message].join('\n');
}

/** Query or form text decoded (JSON stays as it is). */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' ')).replace(/[&=]/g, ' ');
  } catch {
    return text;
  }
}

/** An error page quoting everything it was sent (query and body), decoded, in free text. */
function echo(status: number, envelope: 'linkage' | 'text') {
  return (req: IncomingMessage, res: ServerResponse, body: string) => {
    const sent = `${decoded((req.url ?? '').split('?')[1] ?? '')} ${decoded(body)}`;
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-error-detail', encodeURIComponent(sent).slice(0, 2000));
    res.end(
      envelope === 'linkage'
        ? JSON.stringify({ Code: 90002, Message: `ไม่ตรง: ${sent}` })
        : `Bad input: ${sent}`,
    );
  };
}

async function failing(
  answer: (req: IncomingMessage, res: ServerResponse, body: string) => void,
  input: GdxCallInput<unknown>,
) {
  // node:http itself: the echo needs the request body, which testkit's httpServer discards.
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url?.startsWith('/ws/auth/validate'))
        return res.end(JSON.stringify({ Result: 'tok-generic-echo-000001' }));
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new ExchangeClient({
    baseUrl: url,
    consumerKey: 'ck-generic-echo',
    consumerSecret: 'cs-generic-echo-secret',
    agentId: citizenId,
    retry: { maxRetries: 0 },
  });
  try {
    return await rejection(client.call(input));
  } finally {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const personal = [
  first,
  last,
  laser,
  laser.toLowerCase(),
  birth,
  encodeURIComponent(first),
  encodeURIComponent(last),
];

describe('call() masks the personal values it sends when a server echoes them', () => {
  it.each([
    [400, 'linkage'],
    [400, 'text'],
    [500, 'text'],
  ] as const)('query parameters named like personal data (HTTP %s, %s body)', async (status, envelope) => {
    const err = await failing(echo(status, envelope), {
      path: '/ws/dopa/verification/personal',
      query: { CitizenID: citizenId, FirstName: first, LastName: last, BEBirthDate: birth, LaserCode: laser },
    });
    const seen = serialize(err);
    for (const v of personal) expect(seen, v).not.toContain(v);
    expect(seen).toContain('[REDACTED]');
  });

  it('JSON body fields named like personal data, nested too (Linkage POST variant)', async () => {
    const err = await failing(echo(400, 'linkage'), {
      method: 'POST',
      path: '/ws/dopa/linkage/v1/link',
      query: { OfficeID: '00023', ServiceID: '001', Version: '01' },
      body: { json: { person: { firstName: first, lastName: last, dateOfBirth: birth } } },
      idempotent: true,
    });
    const seen = serialize(err);
    for (const v of [first, last, birth]) expect(seen, v).not.toContain(v);
  });

  it('form body fields named like personal data', async () => {
    const err = await failing(echo(400, 'text'), {
      method: 'POST',
      path: '/ws/some/service',
      body: { form: { fname: first, lname: last } },
      idempotent: true,
    });
    const seen = serialize(err);
    for (const v of [first, last]) expect(seen, v).not.toContain(v);
  });

  it('sensitiveValues: values under names no redactor knows are masked too', async () => {
    const holder = 'บุญมา';
    const err = await failing(echo(400, 'linkage'), {
      path: '/ws/some/service',
      query: { ชื่อผู้ถือบัตร: holder },
      sensitiveValues: [holder],
    });
    const seen = serialize(err);
    expect(seen).not.toContain(holder);
    expect(seen).not.toContain(encodeURIComponent(holder));
  });

  it('sensitiveValues that is not a list of strings is refused (ERR_INVALID_ARG)', async () => {
    const err = await failing(echo(400, 'text'), {
      path: '/ws/some/service',
      sensitiveValues: 'บุญมา' as unknown as string[],
    });
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});
