/**
 * A userinfo response that sends a claim as null or "" (OpenID Connect Core §5.3.2 asks providers to omit a
 * claim they do not return; Java and .NET serialisers write null or "" instead). Such a value says nothing:
 * it must not erase what the verified id_token said, above all the citizen ID the login is about.
 */
import { describe, expect, it } from 'vitest';
import type { DigitalIdClientOptions } from '../src/index.js';
import { quirkClient, quirkLogin, useQuirkProvider } from './quirk-provider.js';

const quirks = useQuirkProvider();

const CITIZEN = '3100100000006';

const login = (overrides: Partial<DigitalIdClientOptions>) =>
  quirkLogin(quirks.op, quirkClient(quirks.op, quirks.clients, overrides));

describe('a userinfo claim sent as null or ""', () => {
  it.each([
    ['null', null],
    ['""', ''],
    ['"  "', '  '],
  ])('userinfo pid %s keeps the id_token pid as the citizen ID', async (_what, empty) => {
    quirks.op.claims = { pid: CITIZEN };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', pid: empty } });
    const id = await login({ provider: 'thaid', issuer: quirks.op.issuer, claimsSource: 'both' });
    expect(id.citizenId).toBe(CITIZEN);
    expect(id.claims.pid).toBe(CITIZEN);
  });

  it('userinfo names as null keep the id_token names', async () => {
    quirks.op.claims = { pid: CITIZEN, given_name: 'สมชาย', family_name: 'ใจดี' };
    quirks.op.userinfo = () => ({ status: 200, body: { sub: 'user-1', given_name: null, family_name: '' } });
    const id = await login({ provider: 'thaid', issuer: quirks.op.issuer, claimsSource: 'both' });
    expect(id.names.th).toMatchObject({ given: 'สมชาย', family: 'ใจดี' });
  });

  it('a userinfo value with content still adds to and updates the claims (control)', async () => {
    quirks.op.claims = { pid: CITIZEN, given_name: 'สมชาย' };
    quirks.op.userinfo = () => ({
      status: 200,
      body: { sub: 'user-1', given_name: 'สมศักดิ์', birthdate: '1990-01-15', nickname: null },
    });
    const id = await login({ provider: 'thaid', issuer: quirks.op.issuer, claimsSource: 'both' });
    expect(id.names.th.given).toBe('สมศักดิ์');
    expect(id.birthdate).toBe('1990-01-15');
    expect(id.claims.nickname).toBeNull();
  });
});
