import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient, type GdxAuditEvent, isGdxError } from '../../src/index.js';
import { type Harness, harness, rejection } from '../helpers.js';

/**
 * REST-style catalog services key records by an encoded value as often as by a bare one: a base64url citizen
 * ID (`/persons/MTEwMTcwMDIzMDcwOA`), an opaque base64 of a JSON key, an e-mail address. The default label of a
 * generic call (audit `operation`, `err.service`, span and metric name) must hold none of them: a custom audit
 * sink or an error log would keep the person's ID (one base64 decode away) or address, one label per person.
 * The request itself still goes to the exact path.
 */

const ID = completeThaiId('310050012346');
const dashed = `${ID.slice(0, 1)}-${ID.slice(1, 5)}-${ID.slice(5, 10)}-${ID.slice(10, 12)}-${ID.slice(12)}`;
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const EMAIL = 'somchai.jaidee@example.go.th';
const NAME = 'สมชาย ใจดี';
const KEYS: Record<string, string> = {
  'base64url citizen ID': b64url(ID),
  'base64 citizen ID with padding': Buffer.from(ID).toString('base64'),
  'base64url dashed citizen ID': b64url(dashed),
  'base64url JSON key': b64url(JSON.stringify({ cid: ID })),
  'e-mail address': EMAIL,
  'base64url e-mail address': b64url(EMAIL),
  'base64url Thai name': b64url(NAME),
};
/** Whether `text` holds the person in any of the spellings above (or the ID's digits). */
const leaks = (text: string) =>
  Object.values(KEYS).some((k) => text.includes(k)) ||
  text.includes(ID) ||
  text.includes(dashed) ||
  text.includes(EMAIL) ||
  text.includes(NAME);

let h: Harness;
let client: ExchangeClient;
const events: GdxAuditEvent[] = [];
beforeAll(async () => {
  h = await harness();
  // The made-up path stands in for a provider's REST resource: past the gateway's route check to its empty 404.
  h.sandbox.gdx.quirks.unroutedPathFault = false;
  const c = h.sandbox.gdx.consumers[0]!;
  client = new ExchangeClient({
    baseUrl: h.sandbox.gdx.url,
    consumerKey: c.consumerKey,
    consumerSecret: c.consumerSecret,
    agentId: 'welfare-system',
    retry: { maxRetries: 0 },
    audit: { sink: { append: async (e) => void events.push(e) } },
  });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('a generic call keyed by an encoded personal value', () => {
  for (const [name, key] of Object.entries(KEYS)) {
    it(`${name}: labelled {id} in the audit record and the error, sent as it is`, async () => {
      events.length = 0;
      const path = `/ws/registry/v1/persons/${key}/address`;
      const err = await rejection(client.call({ path }));
      expect(isGdxError(err, 'ERR_GDX_NOT_FOUND')).toBe(true);
      const service = String((err as { service?: string }).service);
      expect(leaks(service), service).toBe(false);
      expect(service).toBe('/ws/registry/v1/persons/{id}/address');
      expect(events.map((e) => e.operation)).toEqual(['/ws/registry/v1/persons/{id}/address']);
      const logged = h.sandbox.gdx.usage.entries({ status: 404 }).map((e) => e.service);
      expect(logged).toContain(path);
    });
  }

  it('plain words that happen to be valid base64 keep their label', async () => {
    events.length = 0;
    const words = ['/ws/dbd/juristic/v4/profile/financial', '/ws/dbd/juristic/v4/shareholder/information'];
    for (const path of words) await rejection(client.call({ path }));
    expect(events.map((e) => e.operation)).toEqual(words);
  });
});
