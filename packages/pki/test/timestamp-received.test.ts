// receivedTokenProblem (@thgov/pki/internal): what a signer asks of a token it has just received, with the
// checks verifyTimeStampToken makes of it later (the token's form, a time-stamping TSA certificate, the SignerInfo)
// but for the imprint and the TSA's path. @thgov/esign refuses such a token while signing (ERR_ESIGN_TSA).
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { receivedTokenProblem } from '../src/internal.js';
import { createTimeStampAuthority } from '../src/testing.js';
import { createHierarchy, issue } from './helpers/hierarchy.js';

const h = await createHierarchy();
const TS = '1.3.6.1.5.5.7.3.8';
const imprint = createHash('sha256').update('stamped').digest();

async function tokenFrom(serial: number, eku: string[]): Promise<{ token: Uint8Array; cert: Uint8Array }> {
  const id = await issue(h.now, `TSA ${serial}`, serial, h.ca, {
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: eku,
    extendedKeyUsageCritical: true,
  });
  const tsa = createTimeStampAuthority({ certificate: id.cert, privateKey: id.key, chain: [h.ca.cert] });
  return { token: await tsa({ imprint, hashAlgorithm: 'SHA-256' }), cert: id.cert };
}

/** The token without its certificates (a TSA asked with certReq false): SignedData's [0] field left out. */
function withoutCertificates(t: Uint8Array): Uint8Array {
  const ci = asn1js.fromBER(Uint8Array.from(t)).result as asn1js.Sequence;
  const sd = (ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  sd.valueBlock.value = sd.valueBlock.value.filter(
    (b) => b.idBlock.tagClass !== 3 || b.idBlock.tagNumber !== 0,
  );
  return new Uint8Array(ci.toBER(false));
}

const none = () => [];

describe('receivedTokenProblem', () => {
  it('a sound token: its TSTInfo and TSA certificate', async () => {
    const { token, cert } = await tokenFrom(300, [TS]);
    const r = await receivedTokenProblem(token, none);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Buffer.from(r.tsa.toSchema().toBER(false)).equals(Buffer.from(cert))).toBe(true);
    expect(Buffer.from(r.tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(imprint)).toBe(
      true,
    );
  });

  it('without its certificate: no-tsa-certificate, unless the caller supplies it', async () => {
    const { token, cert } = await tokenFrom(301, [TS]);
    const bare = withoutCertificates(token);
    expect(await receivedTokenProblem(bare, none)).toMatchObject({ ok: false, reason: 'no-tsa-certificate' });
    const supplied = () => [pkijs.Certificate.fromBER(Uint8Array.from(cert))];
    expect((await receivedTokenProblem(bare, supplied)).ok).toBe(true);
  });

  it('a TSA certificate with another purpose besides time-stamping: tsa-certificate', async () => {
    const { token } = await tokenFrom(302, [TS, '1.3.6.1.5.5.7.3.4']);
    const r = await receivedTokenProblem(token, none);
    expect(r).toMatchObject({ ok: false, reason: 'tsa-certificate' });
    expect(r.ok ? '' : r.message).toMatch(/may not sign time-stamps/);
  });

  it('bytes that are no token: format', async () => {
    expect(await receivedTokenProblem(new Uint8Array([0x30, 0x03, 1, 2]), none)).toMatchObject({
      ok: false,
      reason: 'format',
    });
  });
});
