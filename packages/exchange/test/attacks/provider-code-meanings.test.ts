import { describe, expect, it } from 'vitest';
import { type ExchangeClient, type GdxError, isGdxNotFound } from '../../src/index.js';
import { rejection, useScriptedGateway, withRawClient } from '../helpers.js';

/**
 * A provider code means something only in the envelope that carries it: DOPA's laser check says `[2]` (card
 * voided) and `[4]` (no such card / mismatch) in a bracket body at HTTP 500; Linkage says `90001` (no officer
 * session) in `{Code, Message}`. A Linkage `{Code: 4}` or `{Code: 2}` is another service's code: its error must
 * not tell the caller about ID cards and laser codes, and a `[90001]` must not send an officer to GovAMI.
 */

const gateway = useScriptedGateway();

const CID = '1101700230708';
const person = (c: ExchangeClient) =>
  rejection(c.getPerson({ citizenId: CID }, { agentId: 'registry-system' }));

describe('provider codes are described by the envelope that carries them', () => {
  for (const code of [2, 4, '2', '4']) {
    it(`Linkage {Code: ${JSON.stringify(code)}}: no card or laser-code meaning, not "not found"`, async () => {
      gateway.answer.status = 200;
      gateway.answer.body = JSON.stringify({ Code: code, Message: 'Linkage failure' });
      const err = (await withRawClient(gateway.url(), person)) as unknown as GdxError;
      expect(err).toMatchObject({
        code: 'ERR_GDX_BUSINESS',
        envelope: 'linkage',
        providerCode: String(code),
      });
      expect(err.message).not.toMatch(/card|laser/i);
      expect(err.message).toMatch(/see the provider documentation/);
      expect(isGdxNotFound(err)).toBe(false);
    });
  }

  it('a bracket [90001] at HTTP 500 gets no GovAMI hint; Linkage 90001 keeps it', async () => {
    gateway.answer.status = 500;
    gateway.answer.body = '[90001]';
    const bracket = (await withRawClient(gateway.url(), person)) as unknown as GdxError;
    expect(bracket).toMatchObject({ code: 'ERR_GDX_BUSINESS', envelope: 'bracket', providerCode: '90001' });
    expect(bracket.message).not.toMatch(/officer|session/i);
    expect(bracket.hint ?? '').not.toMatch(/GovAMI/);
    gateway.answer.status = 200;
    gateway.answer.body = JSON.stringify({ Code: 90001, Message: 'Agent not available' });
    const linkage = (await withRawClient(gateway.url(), person)) as unknown as GdxError;
    expect(linkage).toMatchObject({ envelope: 'linkage', providerCode: '90001' });
    expect(linkage.message).toMatch(/no DOPA session/);
    expect(linkage.hint).toMatch(/GovAMI/);
  });
});
