import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGdxNotFound } from '../src/index.js';
import { type Harness, harness, rejection } from './helpers.js';

/** DOPA and DBD answer "no such record" in several envelopes; `isGdxNotFound` recognises them all. */

const unknown = completeThaiId('110170023070');

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('isGdxNotFound', () => {
  it('an unknown citizen (HTTP 404) is not found', async () => {
    expect(h.sandbox.population.byCitizenId.has(unknown)).toBe(false);
    const err = await rejection(h.client.getPerson({ citizenId: unknown }, { agentId: h.officer }));
    expect(isGdxNotFound(err)).toBe(true);
  });

  it('DOPA’s laser-code [4] (no such card) is not found; [2] (card voided) is not', async () => {
    const p = h.sandbox.population.people[5]!;
    const input = {
      citizenId: unknown,
      firstName: p.firstName.th,
      lastName: p.lastName.th,
      birthDateBe: p.birthDateBe,
      laserCode: 'ZZ0000000000',
    };
    const err = await rejection(h.client.verifyLaserCode(input, { agentId: h.officer }));
    expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: '4' });
    expect(isGdxNotFound(err)).toBe(true);
    const voided = h.sandbox.population.people.find((x) => !x.cardValid);
    if (!voided) throw new Error('the sandbox population has no voided card');
    const err2 = await rejection(
      h.client.verifyLaserCode(
        {
          citizenId: voided.citizenId,
          firstName: voided.firstName.th,
          lastName: voided.lastName.th,
          birthDateBe: voided.birthDateBe,
          laserCode: voided.laserCode,
        },
        { agentId: h.officer },
      ),
    );
    expect(err2).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: '2' });
    expect(isGdxNotFound(err2)).toBe(false);
  });

  it('other failures and non-errors are not "not found"', async () => {
    const noSession = h.sandbox.population.people[61]!.citizenId;
    const err = await rejection(
      h.client.getPerson({ citizenId: h.sandbox.population.people[60]!.citizenId }, { agentId: noSession }),
    );
    expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', providerCode: '90001' });
    expect(isGdxNotFound(err)).toBe(false);
    for (const v of [
      undefined,
      null,
      'ERR_GDX_NOT_FOUND',
      new Error('not found'),
      { code: 'ERR_GDX_NOT_FOUND' },
    ])
      expect(isGdxNotFound(v)).toBe(false);
  });
});
