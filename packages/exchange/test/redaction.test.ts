import { inspect } from 'node:util';
import { captureLogger, httpServer } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

let h: Harness;
const { logger, lines } = captureLogger();

beforeAll(async () => {
  h = await harness({ client: { logger, logLevel: 'debug' } });
});
afterAll(() => h.close());

function serialize(err: unknown): string {
  const e = err as Error;
  return [JSON.stringify(err), inspect(err, { depth: 10 }), String(err), e.stack ?? '', e.message].join('\n');
}

function encodings(value: string): string[] {
  return [value, encodeURIComponent(value)];
}

describe('no secret, token, citizen ID or name leaves the client in logs or errors', () => {
  let errors: unknown[] = [];
  let secrets: string[] = [];
  let personal: string[] = [];

  beforeAll(async () => {
    const consumer = h.sandbox.gdx.consumers[0]!;
    const people = h.sandbox.population.people;
    const subject = people[60]!;
    errors = [];
    const keep = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        errors.push(err);
      }
    };
    const ctx = { agentId: h.officer, purpose: 'benefit eligibility', caseRef: 'CASE-2569-0001' };

    await keep(h.client.getPerson({ citizenId: subject.citizenId }, ctx)); // ok
    const noSession = people[61]!.citizenId;
    await keep(h.client.getPerson({ citizenId: subject.citizenId }, { agentId: noSession })); // 90001
    await keep(
      h.client.verifyLaserCode(
        {
          citizenId: subject.citizenId,
          firstName: subject.firstName.th,
          lastName: subject.lastName.th,
          birthDateBe: subject.birthDateBe,
          laserCode: 'ZZ0000000000',
        },
        ctx,
      ),
    ); // [4] or [2]
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/dopa', unavailable: 1 }] });
    await keep(h.client.getAddress({ citizenId: subject.citizenId }, ctx)); // ERR_HTTP 503 after retries
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/dopa', latencyInMs: [500, 500] }] });
    await keep(h.client.getHouse({ citizenId: subject.citizenId }, { ...ctx, timeoutInMs: 50 })); // ERR_TIMEOUT
    h.sandbox.gdx.faults.setProfile({ rules: [] });
    h.sandbox.gdx.tokens.expireAll();
    await keep(h.client.getHouse({ citizenId: subject.citizenId }, ctx)); // replayed after token not found
    const badKey = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: 'leaky-consumer-key-123',
      consumerSecret: consumer.consumerSecret,
      logger,
      logLevel: 'debug',
    });
    await keep(badKey.getPerson({ citizenId: subject.citizenId }, ctx)); // 403
    await badKey.close();
    const badSecret = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: consumer.consumerKey,
      consumerSecret: 'leaky-consumer-secret-456',
      logger,
      logLevel: 'debug',
    });
    await keep(badSecret.getPerson({ citizenId: subject.citizenId }, ctx)); // 401
    await badSecret.close();

    const tokens = h.sandbox.gdx.tokens.list().map((t) => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    secrets = [
      consumer.consumerKey,
      consumer.consumerSecret,
      'leaky-consumer-key-123',
      'leaky-consumer-secret-456',
      ...tokens,
      subject.citizenId,
      h.officer,
      noSession,
    ].flatMap(encodings);
    personal = [subject.firstName.th, subject.lastName.th, subject.laserCode].flatMap(encodings);
  });

  it('serialized errors (JSON, util.inspect, stack) hold no secret, token, citizen ID, name or laser code', () => {
    expect(errors.length).toBeGreaterThanOrEqual(6);
    const text = errors.map(serialize).join('\n');
    for (const s of [...secrets, ...personal])
      expect(text.includes(s), `error leaked ${s.slice(0, 3)}…`).toBe(false);
    // The errors still say what went wrong.
    expect(text).toContain('ERR_GDX_BUSINESS');
    expect(text).toContain('ERR_GDX_AUTH');
    expect(text).toContain('ERR_TIMEOUT');
  });

  it('debug logs hold no secret, token or citizen ID', () => {
    expect(lines.length).toBeGreaterThan(5);
    const text = lines.join('\n');
    for (const s of secrets) expect(text.includes(s), `log leaked ${s.slice(0, 3)}…`).toBe(false);
  });

  // Query values such as FirstName/LastName/LaserCode (laser check) are personal data: the transport logs
  // the target through redactUrl, which masks them by parameter name.
  it('debug logs hold no names or laser codes', () => {
    const text = lines.join('\n');
    for (const s of personal) expect(text.includes(s), `log leaked ${s.slice(0, 3)}…`).toBe(false);
  });
});

describe('names and a laser code a server echoes back', () => {
  // DOPA's laser-code check sends the holder's names and card code; a gateway or the provider may quote them in
  // an error page or a Linkage envelope. The redactor cannot know them (a Thai name can be 3 letters long), so
  // the call masks what it sent, wherever the answer is quoted.
  const first = 'สมชาย';
  const last = 'ใจดี';
  const laser = 'JT1234567890';
  const citizenId = '1101700230708';
  const answers: Record<string, [number, string]> = {
    '/text-500': [500, `ข้อมูลไม่ถูกต้อง: ${first} ${last} (${laser})`],
    '/json-400': [400, JSON.stringify({ message: `FirstName ${first} LastName ${last} not matched`, laser })],
    '/linkage-200': [
      200,
      JSON.stringify({ Code: 90002, Message: `ไม่พบ ${first} ${last} ${laser.toLowerCase()}` }),
    ],
  };
  it.each(Object.keys(answers))('%s: the error keeps none of them', async (answer) => {
    const [status, body] = answers[answer]!;
    const server = await httpServer((req, res) => {
      if (req.url?.startsWith('/ws/auth/validate'))
        return res.end(JSON.stringify({ Result: 'tok-echo-test-000001' }));
      res.statusCode = status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(body);
    });
    const client = new ExchangeClient({
      baseUrl: server.url,
      consumerKey: 'ck-echo-test',
      consumerSecret: 'cs-echo-test-secret',
      agentId: citizenId,
      retry: { maxRetries: 0 },
    });
    try {
      const err = await rejection(
        client.verifyLaserCode({
          citizenId,
          firstName: first,
          lastName: last,
          birthDateBe: '25300101',
          laserCode: laser,
        }),
      );
      const seen = serialize(err);
      for (const v of [first, last, laser, laser.toLowerCase(), ...encodings(first)])
        expect(seen, v).not.toContain(v);
      expect(seen).toContain('[REDACTED]');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
