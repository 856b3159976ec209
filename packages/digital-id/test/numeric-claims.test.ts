/**
 * Claims a provider types as JSON numbers: IdentityServer (DGA) writes a claim whose value type is an integer as
 * a number, and the ThaID sandbox already sends `ial` as one. A citizen ID sent as a 13-digit number is the same
 * ID as the string (an ID starting with 0 loses digits as a number and is not read as one): it is read as the
 * citizen ID, and compared between the id_token and userinfo like any other spelling, so a userinfo for another
 * person cannot slip past the check (and replace the id_token's claim) by being a number.
 */
import { describe, expect, it } from 'vitest';
import type { DigitalIdClientOptions } from '../src/index.js';
import { failure } from './helpers.js';
import { quirkClient, quirkLogin, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();

const CITIZEN_A = '3100100000006';
const CITIZEN_B = '3100100000014';

const login = (overrides: Partial<DigitalIdClientOptions>) =>
  quirkLogin(quirks.op, quirkClient(quirks.op, quirks.clients, overrides));

describe('a citizen ID sent as a JSON number', () => {
  it('DGA userinfo citizen_id as a number: citizenId is its 13 digits', async () => {
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', citizen_id: Number(CITIZEN_A) } });
    const id = await login({ provider: 'dga', issuer: quirks.op.issuer, claimsSource: 'userinfo' });
    expect(id.citizenId).toBe(CITIZEN_A);
  });

  it('ThaID id_token pid as a number: citizenId is its 13 digits', async () => {
    quirks.op.claims = { pid: Number(CITIZEN_A) };
    const id = await login({ provider: 'thaid', issuer: quirks.op.issuer, claimsSource: 'id_token' });
    expect(id.citizenId).toBe(CITIZEN_A);
  });

  it.each([
    ['pid', 'pid'],
    ['citizen_id', 'citizen_id'],
    ['pid', 'citizen_id'],
  ])(
    'another person’s ID as a number in userinfo %s (id_token %s as a string): ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH',
    async (inUserinfo, inToken) => {
      quirks.op.claims = { [inToken]: CITIZEN_A };
      quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', [inUserinfo]: Number(CITIZEN_B) } });
      const err = await failure(() => login({ claimsSource: 'both' }));
      expect(err.code).toBe('ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH');
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(CITIZEN_B);
    },
  );

  it('a userinfo pid the client cannot read (an array) never replaces the id_token pid', async () => {
    quirks.op.claims = { pid: CITIZEN_A };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', pid: [CITIZEN_B] } });
    const err = await failure(() => login({ claimsSource: 'both' }));
    expect(err.code).toBe('ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH');
  });

  it('the same ID as a string in the id_token and a number in userinfo is accepted (control)', async () => {
    quirks.op.claims = { pid: CITIZEN_A };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', pid: Number(CITIZEN_A) } });
    const id = await login({ provider: 'thaid', issuer: quirks.op.issuer, claimsSource: 'both' });
    expect(id.citizenId).toBe(CITIZEN_A);
  });

  it('a number that is no citizen ID (wrong check digit, fraction, unsafe integer) is not one', async () => {
    for (const pid of [3100100000007, 3100100000006.5, 31001000000060000]) {
      quirks.op.claims = { pid };
      const id = await login({ provider: 'generic', claimsSource: 'id_token' });
      expect(id.citizenId).toBeUndefined();
    }
  });
});
