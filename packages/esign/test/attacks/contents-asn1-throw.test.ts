import { describe, expect, it } from 'vitest';
import { signedFixture } from '../helpers/tamper.js';

/**
 * A signature's /Contents that asn1js cannot even decode — a GeneralizedTime whose text is no time makes
 * `fromBER` throw rather than report an offset of -1 — is a FORMAT_FAILURE of that signature, like any other
 * /Contents that is not CMS: never an exception out of verification.
 */
describe('/Contents that makes the ASN.1 decoder throw', () => {
  it('is TOTAL_FAILED / FORMAT_FAILURE, with the reason, not a thrown error', async () => {
    const { pdf, verify } = await signedFixture('B-B');
    const text = Buffer.from(pdf).toString('latin1');
    const at = text.lastIndexOf('/Contents <');
    expect(at).toBeGreaterThan(0);
    const start = at + '/Contents <'.length;
    const end = text.indexOf('>', start);
    // SEQUENCE { GeneralizedTime "ABC" }, then the zero padding the placeholder had.
    const evil = '30051803414243';
    const hex = evil + '0'.repeat(end - start - evil.length);
    const tampered = Buffer.from(text.slice(0, start) + hex + text.slice(end), 'latin1');
    expect(tampered.length).toBe(pdf.length);
    const report = await verify(new Uint8Array(tampered));
    expect(report.signatures[0]).toMatchObject({
      indication: 'TOTAL_FAILED',
      subIndication: 'FORMAT_FAILURE',
    });
    expect(JSON.stringify(report.signatures[0])).toContain('/Contents is not DER-encoded CMS');
  });
});
