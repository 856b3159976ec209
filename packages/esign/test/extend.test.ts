import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPem } from '@thgov/pki';
import { requireTool } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { PdfDocument } from '../src/pdf/document.js';
import { decodeStream } from '../src/pdf/filters.js';
import { dictOf, type PdfStream } from '../src/pdf/objects.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const verifyOptions = { trustAnchors: [pki.root.cert] };
const bt = await signPdf(await letterPdf(), {
  signer: signerFor(pki, pki.officer),
  level: 'B-T',
  tsa: pki.tsa,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls },
});
const sources = {
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
};

/** The decoded streams of the final revision's /DSS array `key`. */
function dssEntries(pdf: Uint8Array, key: string): Uint8Array[] {
  const doc = new PdfDocument(pdf);
  const dss = dictOf(doc.resolve(doc.catalog(doc.last)?.get('DSS'), doc.last));
  const arr = doc.resolve(dss?.get(key), doc.last);
  return (Array.isArray(arr) ? arr : []).map((r) =>
    decodeStream(doc.resolve(r, doc.last) as PdfStream, doc.budget),
  );
}

describe('extendPdf', () => {
  it('B-T → B-LT → B-LTA, and a second B-LTA renews the archive time-stamp', async () => {
    expect((await verifyPdfSignatures(bt, verifyOptions)).signatures[0]?.level).toBe('B-T');
    const lt = await extendPdf(bt, { level: 'B-LT', ...sources });
    const ltReport = await verifyPdfSignatures(lt, verifyOptions);
    expect(ltReport.indication).toBe('TOTAL_PASSED');
    expect(ltReport.signatures[0]?.level).toBe('B-LT');
    const lta = await extendPdf(lt, { level: 'B-LTA', tsa: pki.tsa, ...sources });
    const ltaReport = await verifyPdfSignatures(lta, verifyOptions);
    expect(ltaReport.indication).toBe('TOTAL_PASSED');
    expect(ltaReport.signatures[0]?.level).toBe('B-LTA');
    const renewed = await extendPdf(lta, { level: 'B-LTA', tsa: pki.tsa, ...sources });
    const renewedReport = await verifyPdfSignatures(renewed, verifyOptions);
    expect(renewedReport.indication).toBe('TOTAL_PASSED');
    expect(renewedReport.signatures.filter((s) => s.kind === 'document-timestamp')).toHaveLength(2);
    expect(Buffer.from(renewed.subarray(0, bt.length)).equals(Buffer.from(bt))).toBe(true);
  });

  it('B-B → B-LTA: a first document time-stamp proves the time, /DSS covers its TSA, a second archives it', async () => {
    const bb = await signPdf(await letterPdf(), {
      signer: signerFor(pki, pki.officer),
      level: 'B-B',
      ...sources,
    });
    expect((await verifyPdfSignatures(bb, verifyOptions)).signatures[0]?.level).toBe('B-B');
    const lta = await extendPdf(bb, { level: 'B-LTA', tsa: pki.tsa, ...sources });
    const report = await verifyPdfSignatures(lta, verifyOptions);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.level).toBe('B-LTA');
    expect(report.signatures.filter((s) => s.kind === 'document-timestamp')).toHaveLength(2);
    expect(Buffer.from(lta.subarray(0, bb.length)).equals(Buffer.from(bb))).toBe(true);
  });

  it('/DSS holds the signer chain, the TSA certificate and the revocation data, each once', async () => {
    const lt = await extendPdf(bt, { level: 'B-LT', ...sources });
    const twice = await extendPdf(lt, { level: 'B-LT', ...sources });
    const certs = dssEntries(twice, 'Certs').map((c) => Buffer.from(c).toString('hex'));
    for (const c of [pki.officer.cert, pki.ca.cert, pki.root.cert, pki.tsaCert])
      expect(certs).toContain(Buffer.from(c).toString('hex'));
    expect(new Set(certs).size).toBe(certs.length);
    expect(dssEntries(twice, 'OCSPs')).toHaveLength(1);
    expect(dssEntries(twice, 'CRLs')).toHaveLength(pki.crls.length);
  });

  it('with no revocation data at hand: ERR_ESIGN_VALIDATION_DATA', async () => {
    const err = await extendPdf(bt, { level: 'B-LT' }).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_VALIDATION_DATA')).toBe(true);
  });
});

const openssl = requireTool('pdfsig', {
  why: 'openssl ts -verify (part of the pdfsig tool set) as an independent check of the archive time-stamp',
});
openssl.describe('B-LTA checked with openssl', () => {
  it('openssl ts -verify accepts the document time-stamp over its byte range; /DSS certificates chain', async () => {
    const lta = await extendPdf(bt, { level: 'B-LTA', tsa: pki.tsa, ...sources });
    const report = await verifyPdfSignatures(lta, verifyOptions);
    const stamp = report.signatures.find((s) => s.kind === 'document-timestamp')!;
    const [a, b, c, d] = stamp.byteRange!;
    const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-ts-'));
    writeFileSync(join(dir, 'data'), Buffer.concat([lta.subarray(a!, a! + b!), lta.subarray(c!, c! + d!)]));
    const hex = Buffer.from(lta.subarray(a! + b! + 1, c! - 1)).toString('latin1');
    const token = Buffer.from(hex, 'hex');
    writeFileSync(join(dir, 'token.der'), token.subarray(0, 4 + token.readUInt16BE(2)));
    writeFileSync(join(dir, 'ca.pem'), [pki.root.cert, pki.ca.cert].map((x) => toPem(x)).join(''));
    const out = execFileSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-data',
        join(dir, 'data'),
        '-in',
        join(dir, 'token.der'),
        '-token_in',
        '-CAfile',
        join(dir, 'ca.pem'),
      ],
      { encoding: 'utf8', stdio: 'pipe' },
    );
    expect(out).toContain('Verification: OK');
    // Each certificate in /DSS verifies against the CA file (openssl verify, untrusted = the DSS itself).
    for (const cert of dssEntries(lta, 'Certs')) {
      writeFileSync(join(dir, 'c.pem'), toPem(cert));
      const v = execFileSync(
        'openssl',
        ['verify', '-CAfile', join(dir, 'ca.pem'), '-partial_chain', join(dir, 'c.pem')],
        {
          encoding: 'utf8',
        },
      );
      expect(v).toContain(': OK');
    }
  });
});
