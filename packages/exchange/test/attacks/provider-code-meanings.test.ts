import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExchangeClient, type GdxError, isGdxNotFound } from '../../src/index.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * A provider code means something only in the envelope that carries it: DOPA's laser check says `[2]` (card
 * voided) and `[4]` (no such card / mismatch) in a bracket body at HTTP 500; Linkage says `90001` (no officer
 * session) in `{Code, Message}`. A Linkage `{Code: 4}` or `{Code: 2}` is another service's code: its error must
 * not tell the caller about ID cards and laser codes, and a `[90001]` must not send an officer to GovAMI.
 */

let status = 200;
let body = '';
const server = createServer((req, res) => {
  req.resume();
  if ((req.url ?? '').startsWith('/ws/auth/validate')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ Result: '6f1c2b8e-0000-4000-8000-000000000002' }));
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const CID = '1101700230708';
const person = (c: ExchangeClient) =>
  rejection(c.getPerson({ citizenId: CID }, { agentId: 'registry-system' }));

describe('provider codes are described by the envelope that carries them', () => {
  for (const code of [2, 4, '2', '4']) {
    it(`Linkage {Code: ${JSON.stringify(code)}}: no card or laser-code meaning, not "not found"`, async () => {
      status = 200;
      body = JSON.stringify({ Code: code, Message: 'Linkage failure' });
      const err = (await withRawClient(url, person)) as unknown as GdxError;
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
    status = 500;
    body = '[90001]';
    const bracket = (await withRawClient(url, person)) as unknown as GdxError;
    expect(bracket).toMatchObject({ code: 'ERR_GDX_BUSINESS', envelope: 'bracket', providerCode: '90001' });
    expect(bracket.message).not.toMatch(/officer|session/i);
    expect(bracket.hint ?? '').not.toMatch(/GovAMI/);
    status = 200;
    body = JSON.stringify({ Code: 90001, Message: 'Agent not available' });
    const linkage = (await withRawClient(url, person)) as unknown as GdxError;
    expect(linkage).toMatchObject({ envelope: 'linkage', providerCode: '90001' });
    expect(linkage.message).toMatch(/no DOPA session/);
    expect(linkage.hint).toMatch(/GovAMI/);
  });
});
