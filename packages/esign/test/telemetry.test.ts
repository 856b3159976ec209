/**
 * Signing and verification under a registered OpenTelemetry SDK (real SDK, in-memory exporter, global
 * provider): `thgov.pdf.sign` with the level, `thgov.pdf.verify` with the policy, and no certificate name
 * (the signer's) in any attribute.
 */
import { type OtelHarness, startOtel } from '@thgov/testkit/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

describe('signing and verification spans', () => {
  let otel: OtelHarness;
  beforeAll(() => {
    otel = startOtel({ global: true });
  });
  afterAll(async () => {
    await otel?.close();
  });

  it('pdf.sign (B-T) and pdf.verify', async () => {
    const pki = await createSigningPki();
    const pdf = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-T',
      tsa: pki.tsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    });
    const report = await verifyPdfSignatures(pdf, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.indication).toBe('TOTAL_PASSED');

    const finished = otel.finished();
    const sign = finished.find((s) => s.name === 'thgov.pdf.sign');
    expect(sign, finished.map((s) => s.name).join(', ')).toBeDefined();
    expect(sign?.attributes['thgov.pades_level']).toBe('B-T');
    const verify = finished.find((s) => s.name === 'thgov.pdf.verify');
    expect(verify?.attributes['thgov.policy']).toBeTruthy();
    const everything = otel.dump();
    expect(everything).not.toMatch(/CN=|commonName/);
  });
});
