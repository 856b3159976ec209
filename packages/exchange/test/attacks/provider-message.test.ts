import { describe, expect, it } from 'vitest';
import { type ExchangeClient, type GdxError, isGdxNotFound } from '../../src/index.js';
import { rejection, useScriptedGateway, withRawClient } from '../helpers.js';

/**
 * The provider's own words are what tells one failure from another where a code does not: DOPA's laser check
 * answers `[4]` both for a wrong laser code ("สถานะไม่ปกติ => ไม่พบเลข Laser จาก PID นี้") and for a wrong
 * name or birth date ("สถานะไม่ปกติ => ข้อมูลไม่ตรง") (DGA kb), and Linkage codes other than 90001 are
 * documented nowhere. The e-Payment and X-Road errors carry the provider's message; the Linkage and bracket
 * errors dropped it, so "ไม่พบข้อมูล" (no data) under an unknown code read only "see the provider
 * documentation". The message is carried (bounded, one line, IDs redacted); the classification stays as
 * documented: an undocumented Linkage code is not guessed to be "not found" from its wording.
 */

const gateway = useScriptedGateway();

const CID = '1101700230708';
const person = (c: ExchangeClient) =>
  rejection(c.getPerson({ citizenId: CID }, { agentId: 'registry-system' }));
const laser = (c: ExchangeClient) =>
  rejection(
    c.verifyLaserCode(
      {
        citizenId: CID,
        firstName: 'สมมติ',
        lastName: 'ทดสอบ',
        birthDateBe: '25300115',
        laserCode: 'JT9999999999',
      },
      { agentId: 'registry-system' },
    ),
  );

async function failure(
  s: number,
  b: string,
  call: (c: ExchangeClient) => Promise<unknown>,
): Promise<GdxError> {
  gateway.answer.status = s;
  gateway.answer.body = b;
  return (await withRawClient(gateway.url(), call)) as unknown as GdxError;
}

describe("the provider's message is in the error", () => {
  for (const message of ['ไม่พบข้อมูล', 'Data not found', 'ไม่พบข้อมูลทะเบียนราษฎร (no record)']) {
    it(`Linkage {Code: "00404", Message: ${JSON.stringify(message)}}: ERR_GDX_BUSINESS, not guessed "not found"`, async () => {
      const err = await failure(200, JSON.stringify({ Code: '00404', Message: message }), person);
      expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', envelope: 'linkage', providerCode: '00404' });
      expect(err.message).toContain(message);
      expect(isGdxNotFound(err)).toBe(false);
    });
  }

  it('a documented Linkage code keeps its meaning and hint, with the message beside them', async () => {
    const err = await failure(200, JSON.stringify({ Code: 90001, Message: 'Agent not available' }), person);
    expect(err.message).toContain('Agent not available');
    expect(err.message).toContain('no DOPA session');
    expect(err.hint).toMatch(/GovAMI/);
  });

  const bodies: Array<[string, string]> = [
    ['[4] สถานะไม่ปกติ => ไม่พบเลข Laser จาก PID นี้', 'wrong laser code'],
    ['"[4] สถานะไม่ปกติ => ข้อมูลไม่ตรง"', 'wrong name or birth date (as a JSON string)'],
  ];
  for (const [text, label] of bodies) {
    it(`laser-check ${label}: [4] with DOPA's words`, async () => {
      const err = await failure(500, text, laser);
      expect(err).toMatchObject({ code: 'ERR_GDX_BUSINESS', envelope: 'bracket', providerCode: '4' });
      expect(err.message).toContain(text.replace(/^"\[4\] |^\[4\] |"$/g, ''));
      expect(err.message).not.toContain('"');
    });
  }

  it('a bare [4] says the code and its meaning only', async () => {
    const err = await failure(500, '[4]', laser);
    expect(err.message).toBe(
      'dopa.verification.personal failed with code [4]: no such card, or the name, birth date or laser code do not match',
    );
  });

  it('the message is one bounded line, and an ID it quotes is redacted', async () => {
    const long = `ไม่พบข้อมูล ${CID}\r\nInjected: line ${'x'.repeat(5000)}`;
    const err = await failure(200, JSON.stringify({ Code: 'E1', Message: long }), person);
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message).not.toContain(CID);
    expect(err.message.length).toBeLessThan(400);
  });
});
