import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DigitalIdClient, DigitalIdClientOptions } from '../src/index.js';
import { failure } from './helpers.js';
import { quirkClient, quirkLogin, useQuirkProvider } from './quirk-provider.js';

/**
 * A citizen ID written in Thai digits (๑๒๓…, as Thai forms and some back offices print it), in full-width
 * digits (a CJK input method), or split by a dash other than U+002D (en dash, minus sign, non-breaking
 * hyphen: what word processors turn "-" into). Fault: the ID was not recognised (no citizenId), and the same
 * ID spelled so in userinfo refused the login as another person's.
 */

const quirks = useQuirkProvider();

const client = (overrides: Partial<DigitalIdClientOptions> = {}) =>
  quirkClient(quirks.op, quirks.clients, { provider: 'thaid', issuer: quirks.op.issuer, ...overrides });

const login = (c: DigitalIdClient) => quirkLogin(quirks.op, c);

const CITIZEN_ID = '1234567890121';
const THAI = '๑๒๓๔๕๖๗๘๙๐๑๒๑';
const FULL_WIDTH = '１２３４５６７８９０１２１';
const EN_DASH = '1–2345–67890–12–1';
const MINUS_SIGN = '1−2345−67890−12−1';
const NB_HYPHEN = '1‑2345‑67890‑12‑1';
const THAI_DASHED = '๑-๒๓๔๕-๖๗๘๙๐-๑๒-๑';

describe('a citizen ID in Thai or full-width digits, or with a typographic dash', () => {
  it.each([
    ['Thai digits', THAI],
    ['full-width digits', FULL_WIDTH],
    ['en dashes', EN_DASH],
    ['minus signs', MINUS_SIGN],
    ['non-breaking hyphens', NB_HYPHEN],
    ['Thai digits and dashes', THAI_DASHED],
  ])('ThaID id_token pid in %s: citizenId is the 13 ASCII digits', async (_label, pid) => {
    quirks.op.claims = { pid };
    const id = await login(client());
    expect(id.citizenId).toBe(CITIZEN_ID);
  });

  it('DGA userinfo citizen_id in Thai digits: citizenId is the 13 ASCII digits', async () => {
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', citizen_id: THAI } });
    const id = await login(client({ provider: 'dga', claimsSource: 'userinfo' }));
    expect(id.citizenId).toBe(CITIZEN_ID);
  });

  it.each([
    ['pid', CITIZEN_ID, THAI],
    ['pid', FULL_WIDTH, CITIZEN_ID],
    ['citizen_id', EN_DASH, THAI_DASHED],
  ])('the same %s as %s in the id_token and %s in userinfo is the same person', async (claim, a, b) => {
    quirks.op.claims = { [claim]: a };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', [claim]: b } });
    const id = await login(client({ claimsSource: 'both' }));
    expect(id.citizenId).toBe(CITIZEN_ID);
  });

  it('another citizen ID in Thai digits in userinfo is still refused, and named nowhere', async () => {
    const other = '๓๑๐๑๗๐๐๐๐๐๐๐๘'; // 3101700000008, a valid ID of someone else
    quirks.op.claims = { pid: CITIZEN_ID };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', pid: other } });
    const err = await failure(() => login(client({ claimsSource: 'both' })));
    expect(err.code).toBe('ERR_DIGITAL_ID_USERINFO_SUBJECT_MISMATCH');
    const text = [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), String(err.stack)].join(
      '\n',
    );
    for (const id of [CITIZEN_ID, other, '3101700000008']) expect(text).not.toContain(id);
  });

  it('a Thai-digit value whose check digit is wrong is still not a citizen ID', async () => {
    quirks.op.claims = { pid: '๑๒๓๔๕๖๗๘๙๐๑๒๒' };
    const id = await login(client());
    expect(id.citizenId).toBeUndefined();
  });
});
