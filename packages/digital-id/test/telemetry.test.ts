/**
 * Digital-ID login under a registered OpenTelemetry SDK (real SDK, in-memory exporters, global providers,
 * a real oidc-provider): an operation span per client call, token validations counted by outcome, and no
 * citizen ID, name, code or token in any span, event or metric attribute.
 */
import { generatePopulation, SandboxBrowser, startThaidProvider, type ThaidProvider } from '@thgov/sandbox';
import { type OtelHarness, startOtel } from '@thgov/testkit/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitalIdClient } from '../src/index.js';
import { AFTER_LOGOUT, loginAs, REDIRECT } from './helpers.js';

const population = generatePopulation({ seed: 12, people: 10, companies: 1 });
const citizen = population.people[3]!;

describe('digital-ID telemetry', () => {
  let thaid: ThaidProvider;
  let client: DigitalIdClient;
  let otel: OtelHarness;
  beforeAll(async () => {
    otel = startOtel({ global: true });
    thaid = await startThaidProvider({ population });
    const c = thaid.clients.default;
    client = new DigitalIdClient({
      provider: 'thaid',
      issuer: thaid.issuer,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      apiKey: thaid.apiKey,
      redirectUri: REDIRECT,
      postLogoutRedirectUri: AFTER_LOGOUT,
      dangerouslyAllowInsecureHttp: true,
    });
  });
  afterAll(async () => {
    await client?.close();
    await thaid?.close();
    await otel?.close();
  });

  it('a login and a replayed callback: spans, validations by outcome, nothing personal in attributes', async () => {
    const { callbackUrl, state } = await loginAs(client, new SandboxBrowser(), citizen.citizenId);
    const id = await client.handleCallback(callbackUrl, { expectedState: state });
    expect(id.citizenId).toBe(citizen.citizenId);
    // The same callback again: the state was consumed, the validation fails.
    const replay = await client
      .handleCallback(callbackUrl, { expectedState: state })
      .catch((e: unknown) => e);
    expect(replay).toMatchObject({ code: expect.stringMatching(/^ERR_DIGITAL_ID_/) });

    const finished = otel.finished();
    const callbacks = finished.filter((s) => s.name === 'thgov.digital_id.handleCallback');
    expect(callbacks).toHaveLength(2);
    expect(callbacks[0]?.status.code).not.toBe(2);
    expect(callbacks[1]?.status.code).toBe(2);
    expect(callbacks[1]?.attributes['error.type']).toBe((replay as { code: string }).code);
    expect(finished.some((s) => s.name === 'thgov.digital_id.createLoginRequest')).toBe(true);

    const points = (await otel.metricPoints('thgov.token.validations')) as Array<{
      attributes: Record<string, unknown>;
      value: number;
    }>;
    const byOutcome = Object.fromEntries(points.map((p) => [p.attributes['thgov.outcome'], p.value]));
    expect(byOutcome).toEqual({ ok: 1, [(replay as { code: string }).code]: 1 });

    const everything = otel.dump() + JSON.stringify(points);
    const code = new URL(callbackUrl).searchParams.get('code')!;
    for (const secret of [
      citizen.citizenId,
      citizen.firstName.th,
      citizen.lastName.th,
      code,
      id.tokens.idToken!,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
