import { completeThaiId } from '@thgov/core';
import type { SecurityServerProfile } from '@thgov/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ExchangeClient,
  type ExchangeClientOptions,
  type GdxAuditEvent,
  type GdxError,
  isGdxError,
} from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

// Issue 17, X-Road mode: a Security Server as the NIIS one answers (Server.* = 500, Client.* = 400, no
// request hash on its own faults), against the sandbox's switchable Security Server profile.

let h: Harness;
let ss: SecurityServerProfile;
const audit: GdxAuditEvent[] = [];
const logs: string[] = [];
const clients: ExchangeClient[] = [];

function xroadClient(
  extra: Partial<ExchangeClientOptions['xroad'] & object> = {},
  o: Partial<ExchangeClientOptions> = {},
) {
  const c = new ExchangeClient({
    baseUrl: h.sandbox.gdx.url,
    xroad: { client: h.sandbox.gdx.xroad.clients[0]!, services: h.sandbox.gdx.xroad.services, ...extra },
    audit: { sink: { append: async (e) => void audit.push(e) } },
    retry: { baseDelayInMs: 1, maxDelayInMs: 5 },
    logLevel: 'debug',
    logger: {
      debug: (m: string, f?: unknown) => void logs.push(m + JSON.stringify(f ?? {})),
      info: (m: string, f?: unknown) => void logs.push(m + JSON.stringify(f ?? {})),
      warn: (m: string, f?: unknown) => void logs.push(m + JSON.stringify(f ?? {})),
      error: (m: string, f?: unknown) => void logs.push(m + JSON.stringify(f ?? {})),
    },
    ...o,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  h = await harness();
  ss = h.sandbox.gdx.xroad.securityServer;
});
beforeEach(() => {
  ss.reset();
  audit.length = 0;
  logs.length = 0;
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await h.close();
});

const person = (n: number) => h.sandbox.population.people[n]!.citizenId;

describe('retry by X-Road error type, not HTTP status', () => {
  it('Server.ServerProxy.NetworkError at HTTP 500 is retried and then succeeds, with the same X-Road-Id', async () => {
    const client = xroadClient();
    ss.inject({ type: 'Server.ServerProxy.NetworkError', times: 2 });
    const p = await client.getPerson(
      { citizenId: person(80) },
      { agentId: h.officer, requestId: 'rid-netw-1' },
    );
    expect(p.firstName.en).toBe(h.sandbox.population.people[80]!.firstName.en);
    const got = ss.received();
    expect(got).toHaveLength(3);
    // A retry of the same logical request keeps its X-Road-Id (the message's unique id).
    expect(new Set(got.map((r) => r.headers['x-road-id']))).toEqual(new Set(['rid-netw-1']));
    expect(ss.pendingFaults).toBe(0);
  });

  it('a Client.* fault (HTTP 400) is not retried', async () => {
    const client = xroadClient();
    ss.inject({ type: 'Client.InvalidRequest', times: 3 });
    const err = (await rejection(
      client.getPerson({ citizenId: person(81) }, { agentId: h.officer }),
    )) as unknown as GdxError;
    expect(isGdxError(err, 'ERR_GDX_XROAD')).toBe(true);
    expect(err.statusCode).toBe(400);
    expect(err.xroadType).toBe('Client.InvalidRequest');
    expect(err.retryable).toBe(false);
    expect(ss.received()).toHaveLength(1);
  });

  it('a Server.* fault outside the table (500) is not retried', async () => {
    const client = xroadClient();
    ss.inject({ type: 'Server.ServerProxy.SslAuthenticationFailed', times: 3 });
    const err = (await rejection(
      client.getPerson({ citizenId: person(82) }, { agentId: h.officer }),
    )) as unknown as GdxError;
    expect(err.statusCode).toBe(500);
    expect(err.xroadType).toBe('Server.ServerProxy.SslAuthenticationFailed');
    expect(ss.received()).toHaveLength(1);
  });

  it('a POST with a server-proxy NetworkError is not blindly retried', async () => {
    const client = xroadClient();
    ss.inject({ type: 'Server.ServerProxy.NetworkError', times: 3 });
    const err = (await rejection(
      client.call(
        {
          method: 'POST',
          path: '/person',
          xroadService: 'dopaLinkage',
          body: { json: { note: 'x' } },
        },
        { agentId: h.officer },
      ),
    )) as unknown as GdxError;
    expect(err.xroadType).toBe('Server.ServerProxy.NetworkError');
    // It was sent and may have taken effect: not retryable for the caller's retry wrapper either.
    expect(err.retryable).toBe(false);
    expect(ss.received()).toHaveLength(1);
  });
});

describe('audit of failed calls', () => {
  it('carries the request hash when the answer had one, else the X-Road id and the error type', async () => {
    const client = xroadClient();
    // 1. success: the provider answered, the hash is there.
    await client.getAddress({ citizenId: person(83) }, { agentId: h.officer });
    // 2. provider error (no such juristic ID): answered by the provider through the Security Server.
    const unknownJuristic = '0105599999990';
    const e2 = (await rejection(
      client.getJuristicProfile(
        { juristicId: completeJuristic(unknownJuristic) },
        { agentId: 'lookup-system' },
      ),
    )) as unknown as GdxError;
    expect(e2.code).toBe('ERR_GDX_NOT_FOUND');
    // 3. a fault the Security Server raised itself: no hash.
    ss.inject({ type: 'Server.ClientProxy.SslAuthenticationFailed' });
    const e3 = (await rejection(
      client.getPerson({ citizenId: person(84) }, { agentId: h.officer, requestId: 'rid-ss-fault' }),
    )) as unknown as GdxError;
    expect(e3.statusCode).toBe(500);

    expect(audit.map((a) => a.status)).toEqual(['ok', 'error', 'error']);
    const hash = /^[A-Za-z0-9+/]{80,}={0,2}$/;
    expect(audit[0]?.extra?.xRoadRequestHash).toMatch(hash);
    expect(audit[1]?.extra?.xRoadRequestHash).toMatch(hash);
    expect(audit[1]?.code).toBe('ERR_GDX_NOT_FOUND');
    expect(audit[2]?.extra?.xRoadRequestHash).toBeUndefined();
    expect(audit[2]?.extra).toMatchObject({
      xRoadId: 'rid-ss-fault',
      xRoadErrorType: 'Server.ClientProxy.SslAuthenticationFailed',
    });
    expect(String(audit[2]?.extra?.xRoadErrorDetail)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** Percent-escapes decoded once, tolerantly (a broken escape stays as it is). */
function decodeOnce(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}

/** The digits a reader of the text could recover, raw and decoded once and twice, in any script, as ASCII. */
function digitViews(text: string): string[] {
  const once = decodeOnce(text);
  return [text, once, decodeOnce(once)].map((t) =>
    t
      .replace(/[\u0e50-\u0e59]/g, (d) => String(d.charCodeAt(0) - 0x0e50))
      .replace(/[\uff10-\uff19]/g, (d) => String(d.charCodeAt(0) - 0xff10))
      .replace(/\D/g, ''),
  );
}

describe('X-Road-Issue: encoding and redaction of citizen IDs in case references', () => {
  const id = completeThaiId('310170012345');
  const id2 = completeThaiId('110170012345');
  const thai = id.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
  const grouped = `${id[0]}-${id.slice(1, 5)}-${id.slice(5, 10)}-${id.slice(10, 12)}-${id[12]}`;
  const spellings = [
    `คดีที่ 12/2569 ผู้ร้อง ${id}`,
    `ที่${id}`,
    `คำร้อง%${id}`,
    `คดี:${thai}`,
    `เรื่อง ${grouped}`,
    `ref ${id} 100%`,
    `คดี%20${id}`,
    `ที่${id2}`,
  ];

  for (const caseRef of spellings) {
    it(`no citizen ID in the error, logs or audit, and the provider gets it back exactly: ${JSON.stringify(caseRef.slice(0, 12))}`, async () => {
      const client = xroadClient();
      ss.inject({ type: 'Client.InvalidRequest' });
      const err = (await rejection(
        client.getPerson({ citizenId: person(85) }, { agentId: 'case-system', caseRef }),
      )) as unknown as GdxError;
      expect(err.code).toBe('ERR_GDX_XROAD');
      // What was sent decodes to exactly what the caller gave (one rule: encoded as a whole, "%" as %25).
      const sent = ss.received()[0]?.headers['x-road-issue'] ?? '';
      expect(/^[\x20-\x7e]*$/.test(sent)).toBe(true);
      expect(decodeURIComponent(sent)).toBe(caseRef);
      const seen = [
        JSON.stringify(err.request?.headers ?? {}),
        JSON.stringify(err),
        String(err.message),
        String(err.stack),
        logs.join('\n'),
        JSON.stringify(audit),
      ];
      expect(err.request?.headers['x-road-issue']).toBeDefined();
      for (const text of seen)
        for (const digits of digitViews(text)) {
          expect(digits).not.toContain(id);
          expect(digits).not.toContain(id2);
        }
    });
  }

  it('a printable-ASCII case reference without "%" goes unencoded', async () => {
    const client = xroadClient();
    await client.getPerson({ citizenId: person(86) }, { agentId: h.officer, caseRef: 'CASE 12/2569' });
    expect(ss.received()[0]?.headers['x-road-issue']).toBe('CASE 12/2569');
  });
});

describe('identifiers', () => {
  it('a member-level client (3 parts) is legal', async () => {
    const member = h.sandbox.gdx.xroad.clients[2]!;
    expect(member.split('/')).toHaveLength(3);
    const client = xroadClient({ client: member });
    await client.getPerson({ citizenId: person(87) }, { agentId: h.officer });
    expect(ss.received()[0]?.headers['x-road-client']).toBe(member);
  });

  it('a code with "/" works structured, and a pre-encoded string part is not encoded twice', async () => {
    const legacy = h.sandbox.gdx.xroad.clients[3]!;
    const [instance, memberClass] = legacy.split('/');
    const structured = xroadClient({
      client: {
        instance: instance!,
        memberClass: memberClass!,
        memberCode: 'OLD/04',
        subsystemCode: 'legacy',
      },
    });
    await structured.getPerson({ citizenId: person(88) }, { agentId: h.officer });
    const preEncoded = xroadClient({ client: legacy });
    await preEncoded.getPerson({ citizenId: person(88) }, { agentId: h.officer });
    const sent = ss.received().map((r) => r.headers['x-road-client']);
    expect(sent).toEqual([
      `${instance}/${memberClass}/OLD%2F04/legacy`,
      `${instance}/${memberClass}/OLD%2F04/legacy`,
    ]);
  });

  it('a structured service identifier works', async () => {
    const [instance, memberClass, memberCode, subsystemCode, serviceCode] =
      h.sandbox.gdx.xroad.services.dopaLinkage.split('/');
    const client = xroadClient({
      services: {
        ...h.sandbox.gdx.xroad.services,
        dopaLinkage: {
          instance: instance!,
          memberClass: memberClass!,
          memberCode: memberCode!,
          subsystemCode: subsystemCode!,
          serviceCode: serviceCode!,
        },
      },
    });
    await client.getPerson({ citizenId: person(89) }, { agentId: h.officer });
    expect(ss.received()[0]?.path.startsWith(`/r1/${h.sandbox.gdx.xroad.services.dopaLinkage}/`)).toBe(true);
  });

  it('malformed identifiers are typed argument errors', () => {
    for (const bad of ['TH/GOV', 'TH/GOV/M/S/X', 'TH/GOV/M%ZZ/S', 'TH//M/S']) {
      expect(() => xroadClient({ client: bad })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
      );
    }
  });
});

describe('headers', () => {
  it('Accept: application/json, no content type on a body-less request, represented party and target server', async () => {
    const client = xroadClient({
      representedParty: { memberClass: 'COM', memberCode: '0105536000001' },
      securityServer: { instance: 'TH-SANDBOX', memberClass: 'GOV', memberCode: 'DOPA', serverCode: 'ss/1' },
    });
    await client.getPerson({ citizenId: person(90) }, { agentId: h.officer });
    await client.getPerson(
      { citizenId: person(90) },
      { agentId: h.officer, representedParty: 'GOV/AGENCY09' },
    );
    const [a, b] = ss.received();
    expect(a?.headers.accept).toBe('application/json');
    expect(a?.headers['content-type']).toBeUndefined();
    expect(a?.headers['x-road-represented-party']).toBe('COM/0105536000001');
    expect(a?.headers['x-road-security-server']).toBe('TH-SANDBOX/GOV/DOPA/ss%2F1');
    expect(b?.headers['x-road-represented-party']).toBe('GOV/AGENCY09');
  });
});

function completeJuristic(twelveAndAny: string): string {
  // Juristic IDs share the citizen-ID check digit; first digit 0.
  return completeThaiId(twelveAndAny.slice(0, 12));
}
