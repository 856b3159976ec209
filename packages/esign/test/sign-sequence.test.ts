import { describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { PdfDocument } from '../src/pdf/document.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { countingSigner, createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const verifyOptions = { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } };
const common = { trustAnchors: pki.root.cert, validationData: { crls: pki.crls } };

describe('several signatures in sequence', () => {
  it('officer certifies (DocMDP P=2, fields locked), then the director signs: both stay valid', async () => {
    const letter = await letterPdf();
    const first = await signPdf(letter, {
      ...common,
      signer: signerFor(pki, pki.officer),
      fieldName: 'Officer',
      certify: 2,
      lockFields: ['Officer'],
      level: 'B-T',
      tsa: pki.tsa,
    });
    const second = await signPdf(first, {
      ...common,
      signer: signerFor(pki, pki.director),
      fieldName: 'Director',
      lockFields: 'all',
      level: 'B-T',
      tsa: pki.tsa,
    });
    expect(Buffer.from(second.subarray(0, first.length)).equals(Buffer.from(first))).toBe(true);
    const report = await verifyPdfSignatures(second, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => [s.fieldName, s.level, s.indication])).toEqual([
      ['Officer', 'B-T', 'TOTAL_PASSED'],
      ['Director', 'B-T', 'TOTAL_PASSED'],
    ]);
    expect(report.signatures[0]?.docMdp).toBe(2);
    expect(report.signatures[0]?.coverage).not.toBe('ENTIRE_FILE');
    expect(report.signatures[1]?.coverage).toBe('ENTIRE_FILE');
  });

  it('after a DocMDP P=1 certification no further signature is made: refused before the key is used', async () => {
    const certified = await signPdf(await letterPdf(), {
      ...common,
      signer: signerFor(pki, pki.officer),
      certify: 1,
    });
    const counted = countingSigner(pki, pki.director);
    const err = await signPdf(certified, { ...common, signer: counted }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_DOCUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/P=1/);
    expect(counted.uses).toBe(0);
    // A P=2 certification still takes a countersignature (sign-certification-order.test.ts verifies both).
    const p2 = await signPdf(await letterPdf(), {
      ...common,
      signer: signerFor(pki, pki.officer),
      certify: 2,
    });
    await expect(signPdf(p2, { ...common, signer: signerFor(pki, pki.director) })).resolves.toBeInstanceOf(
      Uint8Array,
    );
  });

  it('refuses to reuse a field name that is already signed', async () => {
    const first = await signPdf(await letterPdf(), {
      ...common,
      signer: signerFor(pki, pki.officer),
      fieldName: 'A',
    });
    const err = await signPdf(first, {
      ...common,
      signer: signerFor(pki, pki.director),
      fieldName: 'A',
    }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_DOCUMENT')).toBe(true);
  });

  it('writes Thai reason text as a UTF-16BE text string', async () => {
    const pdf = await signPdf(await letterPdf(), {
      ...common,
      signer: signerFor(pki, pki.officer),
      reason: 'อนุมัติ',
    });
    const doc = new PdfDocument(pdf);
    const text = Buffer.from(pdf).toString('latin1');
    expect(text).toContain(`/Reason <feff${Buffer.from('อนุมัติ', 'utf16le').swap16().toString('hex')}>`);
    expect(doc.revisions).toHaveLength(2);
  });
});

describe('the pre-sign check', () => {
  it.each([
    ['expired', () => pki.expired],
    ['revoked', () => pki.revoked],
  ])('refuses a %s signer certificate with ERR_ESIGN_SIGNER_CERT before signing', async (_n, id) => {
    let called = false;
    const base = signerFor(pki, id());
    const signer = {
      ...base,
      sign: (...a: Parameters<typeof base.sign>) => {
        called = true;
        return base.sign(...a);
      },
    };
    const err = await signPdf(await letterPdf(), { ...common, signer }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_SIGNER_CERT')).toBe(true);
    expect(called).toBe(false);
  });

  it('refuses a signer that does not chain to the configured anchors', async () => {
    const err = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      trustAnchors: pki.expired.cert,
      validationData: { crls: pki.crls },
    }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_SIGNER_CERT')).toBe(true);
  });

  it('skipChainCheck still checks the validity period', async () => {
    const err = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.expired),
      skipChainCheck: true,
    }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_SIGNER_CERT')).toBe(true);
  });

  it('needs trustAnchors or an explicit skipChainCheck', async () => {
    const err = await signPdf(await letterPdf(), { signer: signerFor(pki, pki.officer) }).catch(
      (e: unknown) => e,
    );
    expect(isEsignError(err)).toBe(false);
    expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG');
  });

  it('B-LT without any revocation data is ERR_ESIGN_VALIDATION_DATA', async () => {
    const err = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      skipChainCheck: true,
      level: 'B-LT',
      tsa: pki.tsa,
    }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_VALIDATION_DATA')).toBe(true);
  });
});
