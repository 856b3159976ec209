// The revocation fetcher keeps a CRL until its nextUpdate, read from the CRL's first fields without decoding the
// revoked list: those few bytes must be read right in every form RFC 5280 allows, and anything else must give
// "unknown" (the CRL is then kept for the shortest time), never a wrong date.
import { describe, expect, it } from 'vitest';
import { crlUpdateWindow } from '../src/revocation/crl-window.js';
import { createHierarchy, DAY } from './helpers/hierarchy.js';

const h = await createHierarchy();

function der(tag: number, content: Uint8Array | string): Uint8Array {
  const body = typeof content === 'string' ? Buffer.from(content, 'latin1') : Buffer.from(content);
  const len =
    body.length < 0x80
      ? [body.length]
      : body.length < 0x100
        ? [0x81, body.length]
        : [0x82, body.length >> 8, body.length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}
const seq = (...parts: Uint8Array[]) => der(0x30, Buffer.concat(parts));
const alg = seq(der(0x06, Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b])));
const issuer = seq(der(0x31, seq(der(0x06, Buffer.from([0x55, 0x04, 0x03])), der(0x0c, 'CA'))));
const wrap = (tbs: Uint8Array) => seq(tbs, alg, der(0x03, Buffer.from([0, 1, 2])));

describe('a CRL update window read from its first fields', () => {
  it('reads a CRL the test PKI signs (v2, UTCTime)', async () => {
    const crl = await h.crl(h.ca);
    const w = crlUpdateWindow(crl);
    expect(w?.thisUpdate.getTime()).toBe(Math.floor((h.now.getTime() - DAY) / 1000) * 1000);
    expect(w?.nextUpdate?.getTime()).toBe(Math.floor((h.now.getTime() + 7 * DAY) / 1000) * 1000);
  });

  it('reads GeneralizedTime, a v1 CRL without version, and UTCTime years 50-99 as 19xx', () => {
    const v2 = wrap(
      seq(der(0x02, Buffer.from([1])), alg, issuer, der(0x18, '20510101000000Z'), der(0x17, '491231235959Z')),
    );
    expect(crlUpdateWindow(v2)).toEqual({
      thisUpdate: new Date('2051-01-01T00:00:00Z'),
      nextUpdate: new Date('2049-12-31T23:59:59Z'),
    });
    const v1 = wrap(seq(alg, issuer, der(0x17, '990101000000Z')));
    expect(crlUpdateWindow(v1)).toEqual({
      thisUpdate: new Date('1999-01-01T00:00:00Z'),
      nextUpdate: undefined,
    });
  });

  it('a CRL without nextUpdate but with revoked entries does not read them as nextUpdate', () => {
    const revoked = seq(seq(der(0x02, Buffer.from([5])), der(0x17, '260101000000Z')));
    const crl = wrap(seq(der(0x02, Buffer.from([1])), alg, issuer, der(0x17, '260101000000Z'), revoked));
    expect(crlUpdateWindow(crl)?.nextUpdate).toBeUndefined();
  });

  it('anything else is unknown: PEM, garbage, truncation, a local time, an impossible length', async () => {
    const good = await h.crl(h.ca);
    const pem = Buffer.from(
      `-----BEGIN X509 CRL-----\n${Buffer.from(good).toString('base64')}\n-----END X509 CRL-----\n`,
    );
    for (const bytes of [
      pem,
      Buffer.from('not a crl'),
      good.subarray(0, 40),
      new Uint8Array(0),
      wrap(seq(alg, issuer, der(0x17, '990101000000+0700'))),
      Buffer.from([0x30, 0x85, 1, 2, 3, 4, 5]),
    ]) {
      expect(crlUpdateWindow(bytes)).toBeUndefined();
    }
  });
});
