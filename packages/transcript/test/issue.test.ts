import { inspect } from 'node:util';
import { expectCode as rejects } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_ERROR_CODES } from '../src/errors.js';
import { exportPkcs8Pem, extractTranscript, issueTranscript, toPem, verifyTranscript } from '../src/index.js';
import { issueGood, SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const chain = [pki.signer.cert, pki.ca.cert];

describe('issueTranscript', () => {
  it('accepts PEM keys and PEM chains and produces a verifiable PDF/A-3', async () => {
    const pem = await exportPkcs8Pem(pki.signer.key);
    const pdf = await issueTranscript({
      xml: SAMPLE_XML,
      xmlFileName: 'record.xml',
      signer: { key: pem, chain: [toPem(pki.signer.cert), toPem(pki.ca.cert)] },
      revocation: { crls: [pki.crlCa, pki.crlRoot] },
      tsa: pki.tsaFn,
    });
    const r = await verifyTranscript(pdf, { trust: toPem(pki.root.cert) });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.attachment?.fileName).toBe('record.xml');
  });

  it('embeds a caller-supplied PDF', async () => {
    const { PDFDocument, StandardFonts } = await import('pdf-lib');
    const d = await PDFDocument.create();
    d.addPage().drawText('University of Testing', { font: await d.embedFont(StandardFonts.Helvetica) });
    const base = await d.save();
    const pdf = await issueTranscript({
      xml: SAMPLE_XML,
      pdf: base,
      signer: { key: pki.signer.key, chain },
      revocation: { crls: [pki.crlCa, pki.crlRoot] },
    });
    expect((await verifyTranscript(pdf, { trust: [pki.root.cert] })).indication).toBe('TOTAL_PASSED');
  });

  it('rejects bad input with typed argument errors', async () => {
    await rejects(issueTranscript({ xml: '', signer: { key: pki.signer.key, chain } }), 'ERR_INVALID_ARG');
    await rejects(
      issueTranscript({ xml: SAMPLE_XML, signer: { key: pki.signer.key, chain: [] } }),
      'ERR_INVALID_ARG',
    );
    await rejects(
      issueTranscript({
        xml: SAMPLE_XML,
        xmlFileName: '../../etc/passwd',
        signer: { key: pki.signer.key, chain },
      }),
      'ERR_INVALID_ARG',
    );
    await rejects(
      issueTranscript({ xml: SAMPLE_XML, signer: { key: pki.signer.key, chain }, extra: 1 } as never),
      'ERR_INVALID_ARG',
    );
    await rejects(
      issueTranscript({
        xml: SAMPLE_XML,
        pdf: new Uint8Array([1, 2, 3]),
        signer: { key: pki.signer.key, chain },
      }),
      'ERR_TRANSCRIPT_ISSUE',
    );
    await rejects(
      issueTranscript({ xml: SAMPLE_XML, signer: { key: pki.signer.key, chain }, contentsSize: 1024 }),
      'ERR_TRANSCRIPT_ISSUE',
    );
  });

  it('never leaks private key material in errors', async () => {
    const pem = await exportPkcs8Pem(pki.signer.key);
    const broken = pem.replace(/[A-Za-z]{20}/, 'AAAAAAAAAAAAAAAAAAAA');
    const err = await rejects(
      issueTranscript({ xml: SAMPLE_XML, signer: { key: broken, chain } }),
      'ERR_TRANSCRIPT_ISSUE',
    );
    const body = pem.split('\n')[3]!;
    for (const text of [JSON.stringify(err), inspect(err), err.message, String(err.stack)]) {
      expect(text).not.toContain(body);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });

  it('lists a code for every error', () => {
    for (const code of [
      'ERR_PDF_FORMAT',
      'ERR_PDF_LIMIT',
      'ERR_PDF_ENCRYPTED',
      'ERR_TRANSCRIPT_NO_ATTACHMENT',
      'ERR_TRANSCRIPT_XML',
      'ERR_TRANSCRIPT_ISSUE',
      'ERR_TRANSCRIPT_TSA',
    ]) {
      expect(Object.keys(TRANSCRIPT_ERROR_CODES)).toContain(code);
    }
  });
});

describe('extractTranscript', () => {
  it('returns the XML bytes exactly, the file name, relationship and the ETDA XMP fields', async () => {
    const pdf = await issueGood(pki);
    const t = extractTranscript(pdf);
    expect(Buffer.from(t.xml).toString('utf8')).toBe(SAMPLE_XML);
    expect(t).toMatchObject({
      fileName: 'transcript.xml',
      relationship: 'Alternative',
      mimeType: 'text/xml',
      declaredSize: Buffer.byteLength(SAMPLE_XML),
    });
    expect(t.xmp).toMatchObject({
      pdfaPart: 3,
      pdfaConformance: 'B',
      documentFileName: 'transcript.xml',
      referenceId: 'TEST-0001',
      documentOid: '2.16.764.1.4.100.21.1.1',
    });
  });

  it('throws typed errors for non-PDFs and PDFs without an XML attachment', async () => {
    expect(() => extractTranscript(new TextEncoder().encode('not a pdf'))).toThrowError(
      expect.objectContaining({ code: 'ERR_PDF_FORMAT' }),
    );
    const { PDFDocument } = await import('pdf-lib');
    const d = await PDFDocument.create();
    d.addPage();
    const plain = await d.save();
    expect(() => extractTranscript(plain)).toThrowError(
      expect.objectContaining({ code: 'ERR_TRANSCRIPT_NO_ATTACHMENT' }),
    );
    expect(() => extractTranscript('x' as never)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
  });
});

describe('verify options', () => {
  it('rejects unknown options, bad anchors and non-bytes input', async () => {
    const pdf = await issueGood(pki);
    await rejects(verifyTranscript(pdf, { trsut: [] } as never), 'ERR_INVALID_ARG');
    await rejects(verifyTranscript(pdf, { trust: 'not a pem' }), 'ERR_INVALID_ARG');
    await rejects(verifyTranscript('pdf' as never), 'ERR_INVALID_ARG');
    await rejects(verifyTranscript(pdf, { policy: 'lenient' as never }), 'ERR_INVALID_ARG');
  });

  it('reports oversized and over-budget files as INDETERMINATE with the limit code', async () => {
    const pdf = await issueGood(pki);
    const big = await verifyTranscript(pdf, { trust: [pki.root.cert], limits: { maxBytes: 1000 } });
    expect(big.indication).toBe('INDETERMINATE');
    expect(big.errorCode).toBe('ERR_PDF_LIMIT');
    const few = await verifyTranscript(pdf, { trust: [pki.root.cert], limits: { maxObjects: 3 } });
    expect(few.errorCode).toBe('ERR_PDF_LIMIT');
    const slow = await verifyTranscript(pdf, { trust: [pki.root.cert], limits: { timeInMs: 1 } });
    expect(slow.indication).toBe('INDETERMINATE');
    expect(slow.errorCode).toBe('ERR_PDF_LIMIT');
    const garbage = await verifyTranscript(new TextEncoder().encode('%PDF-1.7 garbage'));
    expect(garbage.indication).toBe('TOTAL_FAILED');
    expect(garbage.errorCode).toBe('ERR_PDF_FORMAT');
  });

  it('stops on an aborted signal', async () => {
    const pdf = await issueGood(pki);
    const ac = new AbortController();
    ac.abort();
    await rejects(verifyTranscript(pdf, { abortSignal: ac.signal }), 'ERR_ABORTED');
  });
});
