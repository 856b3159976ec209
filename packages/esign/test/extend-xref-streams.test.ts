// Signing and extending files whose cross-reference data is a stream (qpdf --object-streams=generate, as
// Acrobat, Word and most modern writers save), a hybrid-reference file, and files others signed that way. The
// update esign appends must be read the same by every reader: our verifier, qpdf --check and poppler's pdfsig,
// and the earlier signature must stay valid.
import { execFileSync } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPem } from '@thgov/pki';
import { requireTool } from '@thgov/testkit';
import { beforeAll, expect, it } from 'vitest';
import { PdfDocument } from '../src/pdf/document.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { foreignSign, opensslCms } from './helpers/foreign-signer.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const sources = {
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
};
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });

/** `qpdf <args> in out` on the bytes. */
function qpdfRewrite(pdf: Uint8Array, args: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-xrefstm-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync('qpdf', [...args, join(dir, 'in.pdf'), join(dir, 'out.pdf')], { stdio: 'pipe' });
    return new Uint8Array(readFileSync(join(dir, 'out.pdf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Signs with poppler's `pdfsig -add-signature` as the director (an NSS database made for it). */
function popplerSign(pdf: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-esign-popsign-'));
  try {
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });
    run('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
    writeFileSync(
      join(dir, 'key.pem'),
      KeyObject.from(pki.director.key as never).export({ type: 'pkcs8', format: 'pem' }),
    );
    writeFileSync(join(dir, 'cert.pem'), toPem(pki.director.cert));
    writeFileSync(join(dir, 'chain.pem'), toPem(pki.ca.cert));
    const p12 = ['-inkey', 'key.pem', '-in', 'cert.pem', '-certfile', 'chain.pem', '-name', 'director'];
    run('openssl', [
      'pkcs12',
      '-export',
      ...p12.map((a) => (a.endsWith('.pem') ? join(dir, a) : a)),
      '-passout',
      'pass:t',
      '-out',
      join(dir, 's.p12'),
    ]);
    run('pk12util', ['-i', join(dir, 's.p12'), '-d', `sql:${dir}`, '-W', 't']);
    writeFileSync(join(dir, 'in.pdf'), pdf);
    run('pdfsig', [
      '-nssdir',
      `sql:${dir}`,
      '-add-signature',
      '-nick',
      'director',
      '-new-signature-field-name',
      'Poppler',
      join(dir, 'in.pdf'),
      join(dir, 'out.pdf'),
    ]);
    return new Uint8Array(readFileSync(join(dir, 'out.pdf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Whether the section the last startxref names is a cross-reference stream (not a classic `xref` table). */
function endsWithXrefStream(pdf: Uint8Array): boolean {
  const at = Number(/startxref\s+(\d+)\s*%%EOF[\s\0]*$/.exec(latin1(pdf))?.[1]);
  return !latin1(pdf.subarray(at, at + 4)).startsWith('xref');
}

const sign = (pdf: Uint8Array, fieldName: string) =>
  signPdf(pdf, { signer: signerFor(pki, pki.officer), level: 'B-T', tsa: pki.tsa, fieldName, ...sources });

const qpdf = requireTool('qpdf', { why: 'qpdf writes the cross-reference streams and checks the result' });
const pdfsigTool = requireTool('pdfsig', { why: 'poppler as a second reader of the signed result' });

qpdf.describe('cross-reference stream inputs, signed and extended', () => {
  let inputs: Record<string, Uint8Array>;
  let db: import('./helpers/pdfsig.js').PdfsigDb | undefined;
  beforeAll(async () => {
    const letter = await letterPdf();
    const xrefStream = qpdfRewrite(letter, ['--object-streams=generate']);
    inputs = {
      'an xref-stream file (qpdf --object-streams=generate)': xrefStream,
      'an xref-stream file signed by poppler (pdfsig -add-signature)': popplerSign(xrefStream),
      'a classic file whose foreign signature update is an xref stream': foreignSign(
        letter,
        opensslCms(pki.director, [pki.ca.cert]),
        { xrefStream: [1, 4, 2] },
      ),
      'a hybrid-reference file signed by another tool': foreignSign(
        letter,
        opensslCms(pki.director, [pki.ca.cert]),
        {
          hybrid: { listStream: true },
        },
      ),
      'trailing garbage after the last %%EOF': Buffer.concat([
        Buffer.from(xrefStream),
        Buffer.from('\r\n\0\0  \n'),
      ]),
    };
    if (pdfsigTool.available) {
      const { PdfsigDb } = await import('./helpers/pdfsig.js');
      db = PdfsigDb.create(pki.root.cert);
    }
  });

  it('the inputs are what they claim: stream xref, no anomaly', () => {
    for (const pdf of Object.values(inputs))
      expect(new PdfDocument(pdf).anomalies.filter((a) => a.severity === 'error')).toEqual([]);
  });

  for (const what of [
    'an xref-stream file (qpdf --object-streams=generate)',
    'an xref-stream file signed by poppler (pdfsig -add-signature)',
    'a classic file whose foreign signature update is an xref stream',
    'a hybrid-reference file signed by another tool',
    'trailing garbage after the last %%EOF',
  ])
    it(`${what}: signed, extended to B-LTA; every reader agrees`, async () => {
      const input = inputs[what]!;
      const signed = await sign(input, 'Officer');
      const lta = await extendPdf(signed, { level: 'B-LTA', tsa: pki.tsa, ...sources });
      expect(Buffer.from(lta.subarray(0, input.length)).equals(Buffer.from(input))).toBe(true);
      // Each update keeps the form of the section it chains to (ISO 32000-1 §7.5.8.4 defines /Prev of a classic
      // trailer as a classic section and of a cross-reference stream as a stream; pyHanko, iText and poppler keep
      // the input's form): after a stream, every update esign appends is a stream too.
      if (endsWithXrefStream(input))
        expect(latin1(lta.subarray(input.length))).not.toMatch(/(^|[\r\n])xref[\r\n]/);
      else expect(latin1(lta.subarray(input.length))).not.toMatch(/\/Type\s*\/XRef/);
      const report = await verify(lta);
      expect(report.indication).toBe('TOTAL_PASSED');
      expect(report.signatures.every((s) => s.indication === 'TOTAL_PASSED')).toBe(true);
      const { qpdfCheck } = await import('./helpers/qpdf.js');
      const q = qpdfCheck(lta);
      expect(q.output).toContain('No syntax or stream encoding errors found');
      expect(q.output).not.toMatch(/WARNING/);
      if (db) {
        const out = db.check(lta);
        expect(out).not.toMatch(/Signature is Invalid|Digest Mismatch/);
        const signatures = report.signatures.filter((s) => s.kind === 'signature').length;
        expect(out.match(/Signature Validation: Signature is Valid\./g)?.length).toBe(signatures);
      }
    });
});
