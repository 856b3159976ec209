import { isThGovError } from '@thgov/core';
import { captureLogger } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

/** The caller's requestId reaches token acquisition: the validate request, its errors and its log lines. */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('requestId through token acquisition', () => {
  it('the validate request carries the caller’s requestId', async () => {
    h = await harness();
    const p = h.sandbox.population.people[20]!;
    await h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer, requestId: 'rid-validate-1' });
    const validate = h.sandbox.gdx.usage.entries({ service: 'auth/validate' });
    expect(validate.map((e) => e.requestId)).toEqual(['rid-validate-1']);
    expect(h.sandbox.gdx.usage.entries({ service: 'dopa/linkage/001' }).map((e) => e.requestId)).toEqual([
      'rid-validate-1',
    ]);
  });

  it('a failed validate’s error and log lines carry it', async () => {
    h = await harness();
    const consumer = h.sandbox.gdx.consumers[0]!;
    const { lines, logger } = captureLogger();
    const c = new ExchangeClient({
      baseUrl: h.sandbox.gdx.url,
      consumerKey: consumer.consumerKey,
      consumerSecret: 'not-the-consumer-secret',
      logger,
      logLevel: 'debug',
      retry: false,
    });
    try {
      const err = await rejection(
        c.getPerson(
          { citizenId: h.sandbox.population.people[21]!.citizenId },
          { agentId: h.officer, requestId: 'rid-validate-2' },
        ),
      );
      expect(isThGovError(err, 'ERR_GDX_AUTH')).toBe(true);
      expect(err.requestId).toBe('rid-validate-2');
      const failed = lines.find((l) => l.includes('gdx.validate failed'));
      expect(failed).toContain('rid-validate-2');
      expect(failed).toContain('"errorCode":"ERR_GDX_AUTH"');
    } finally {
      await c.close();
    }
  });

  it('a deadline that passes during validate is reported with the requestId', async () => {
    h = await harness({
      sandbox: { gdx: { faults: { rules: [{ route: '/ws/auth', latencyInMs: [800, 800] }] } } },
    });
    const err = await rejection(
      h.client.getPerson(
        { citizenId: h.sandbox.population.people[22]!.citizenId },
        { agentId: h.officer, requestId: 'rid-validate-3', timeoutInMs: 200 },
      ),
    );
    expect(err).toMatchObject({
      code: 'ERR_TIMEOUT',
      phase: 'total',
      timeoutInMs: 200,
      requestId: 'rid-validate-3',
    });
  });
});
