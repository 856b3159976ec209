import { inspect } from 'node:util';
import { captureLogger } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../src/index.js';
import { type Harness, harness } from './helpers.js';

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
