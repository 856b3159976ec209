// A time-stamp token is embedded only if it would prove the time: a token from a certificate that is no TSA
// certificate (RFC 3161 §2.3: id-kp-timeStamping, the extended key usage marked critical), or whose TSA signature
// does not verify, is refused with ERR_ESIGN_TSA — never a signed file whose time-stamp every verifier rejects.
import type { TimeStampFunction } from '@thgov/pki';
import { createTimeStampAuthority } from '@thgov/pki/testing';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import {
  countingSigner,
  createSigningPki,
  type Identity,
  issue,
  letterPdf,
  signerFor,
} from './helpers/pki.js';

const pki = await createSigningPki();
const sources = { trustAnchors: pki.root.cert, validationData: { crls: pki.crls } };

async function tsaWith(serial: number, extra: Parameters<typeof issue>[4]): Promise<TimeStampFunction> {
  const id: Identity = await issue(pki.now, `TSA ${serial}`, serial, pki.ca, {
    keyUsage: ['digitalSignature'],
    ...extra,
  });
  return createTimeStampAuthority({ certificate: id.cert, privateKey: id.key, chain: [pki.ca.cert] });
}

/** `tsa`, its tokens' TSA signature value altered (one bit): the token no longer verifies. */
function corrupted(tsa: TimeStampFunction): TimeStampFunction {
  return async (req) => {
    const ci = pkijs.ContentInfo.fromBER(Buffer.from(await tsa(req)));
    const sd = new pkijs.SignedData({ schema: ci.content });
    const sig = new Uint8Array(sd.signerInfos[0]!.signature.valueBlock.valueHexView);
    sig[sig.length - 5]! ^= 1;
    sd.signerInfos[0]!.signature = new asn1js.OctetString({ valueHex: sig.buffer });
    const out = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
    return new Uint8Array(out.toSchema().toBER(false));
  };
}

const cases: [string, () => Promise<TimeStampFunction>][] = [
  ['a TSA certificate without the timeStamping extended key usage', () => tsaWith(501, {})],
  [
    'a TSA certificate whose timeStamping extended key usage is not critical',
    () => tsaWith(502, { extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'], extendedKeyUsageCritical: false }),
  ],
  [
    'a certificate for another purpose (emailProtection, critical)',
    () => tsaWith(503, { extendedKeyUsage: ['1.3.6.1.5.5.7.3.4'], extendedKeyUsageCritical: true }),
  ],
  ['a token whose TSA signature does not verify', async () => corrupted(pki.tsa)],
];

describe('time-stamp tokens that would prove nothing are refused while signing', () => {
  for (const [what, make] of cases) {
    it(`B-T: ${what} → ERR_ESIGN_TSA`, async () => {
      const signer = countingSigner(pki, pki.officer);
      const err = await signPdf(await letterPdf(), {
        signer,
        level: 'B-T',
        tsa: await make(),
        ...sources,
      }).catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
    });

    it(`B-LTA archive time-stamp: ${what} → ERR_ESIGN_TSA`, async () => {
      const bt = await signPdf(await letterPdf(), {
        signer: signerFor(pki, pki.officer),
        level: 'B-T',
        tsa: pki.tsa,
        ...sources,
      });
      const err = await extendPdf(bt, { level: 'B-LTA', tsa: await make(), ...sources }).catch(
        (e: unknown) => e,
      );
      expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
    });
  }

  it('guard: the test PKI’s TSA (timeStamping, critical) is accepted and verifies at B-T', async () => {
    const bt = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: pki.tsa,
      ...sources,
    });
    const report = await verifyPdfSignatures(bt, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.signatures[0]?.level).toBe('B-T');
  });
});
