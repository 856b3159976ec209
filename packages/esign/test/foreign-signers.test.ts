// Signatures written by other signers' spellings: the revision is written by hand (helpers/foreign-signer.ts) as
// Acrobat, iText, pyHanko, LibreOffice, jSignPdf or PDFBox may write it, and the CMS or time-stamp token comes
// from OpenSSL, so no thgov signing code made any of it. A valid signature must verify here, and poppler's pdfsig
// is asked for its opinion of the same bytes.
//
// Two spellings were refused before: an update after signing written with a cross-reference stream (pyHanko and
// iText keep the input's xref style when they add a document time-stamp or a second signature), or as a
// hybrid-reference section (an xref table whose trailer's /XRefStm names a stream for the objects in object
// streams, as Word and Acrobat write on such files). Its xref stream and object stream were counted as appended
// objects nothing refers to, and a hybrid /XRefStm stream that does not list itself as an object no xref lists.
import { webcrypto } from 'node:crypto';
import { requireTool } from '@thgov/testkit';
import { beforeAll, expect, it } from 'vitest';
import { signPdf } from '../src/sign/sign-pdf.js';
import { PDF_POLICY } from '../src/verify/policy.js';
import type { VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import {
  type CmsMaker,
  type ForeignSpelling,
  foreignSign,
  opensslCms,
  opensslTimeStamp,
} from './helpers/foreign-signer.js';
import { createSigningPki, type Identity, issue, letterPdf, signerFor } from './helpers/pki.js';
import { appendUpdate } from './helpers/tamper.js';

const pki = await createSigningPki();
const letter = await letterPdf();
const chain = [pki.ca.cert];
const securityUpdates = { ...PDF_POLICY, afterSigning: 'security-updates' as const };
const verify = (pdf: Uint8Array, policy?: typeof securityUpdates) =>
  verifyPdfSignatures(pdf, {
    trustAnchors: [pki.root.cert],
    revocation: { crls: pki.crls },
    ...(policy ? { policy } : {}),
  });
const officer = opensslCms(pki.officer, chain);
const tsa = await issue(pki.now, 'Foreign TSA', 400, pki.ca, {
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
  extendedKeyUsageCritical: true,
});
const docTimeStamp: ForeignSpelling = { type: 'DocTimeStamp', subFilter: 'ETSI.RFC3161' };
/** Signed by esign at B-LT: what a PAdES-LTA tool then time-stamps. */
const bLt = await signPdf(letter, {
  signer: signerFor(pki, pki.officer),
  trustAnchors: pki.root.cert,
  tsa: pki.tsa,
  validationData: { crls: pki.crls },
  level: 'B-LT',
});

function failures(r: VerificationReport): string[] {
  return [...r.checks, ...r.signatures.flatMap((s) => s.checks)]
    .filter((c) => c.status !== 'PASSED' && c.step !== 9)
    .map((c) => `${c.step}: ${c.subIndication} ${c.message}`);
}

async function expectValid(pdf: Uint8Array, policy?: typeof securityUpdates): Promise<VerificationReport> {
  const r = await verify(pdf, policy);
  expect(r.indication, failures(r).join('\n')).toBe('TOTAL_PASSED');
  for (const s of r.signatures) expect(s.indication, failures(r).join('\n')).toBe('TOTAL_PASSED');
  return r;
}

async function identity(algorithm: object, serial: number): Promise<Identity> {
  const keyPair = (await webcrypto.subtle.generateKey(algorithm as never, true, ['sign', 'verify'])) as never;
  return issue(pki.now, `Officer ${serial}`, serial, pki.ca, {
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    keyPair,
  });
}

const p256 = await identity({ name: 'ECDSA', namedCurve: 'P-256' }, 501);
const p384 = await identity({ name: 'ECDSA', namedCurve: 'P-384' }, 502);
const p521 = await identity({ name: 'ECDSA', namedCurve: 'P-521' }, 503);

/** Structural spellings of the signature revision, each signed by OpenSSL with default attributes. */
const STRUCTURE: [string, ForeignSpelling][] = [
  ['CRLF line ends', { eol: '\r\n' }],
  ['CR-only line ends', { eol: '\r' }],
  ['xref entries ending " \\r"', { xrefEntryEnd: ' \r' }],
  ['xref entries ending "\\r\\n"', { xrefEntryEnd: '\r\n' }],
  ['an xref stream, /W [1 3 1]', { xrefStream: [1, 3, 1] }],
  ['an xref stream, /W [1 2 2]', { xrefStream: [1, 2, 2] }],
  ['an xref stream without a type column, /W [0 4 1]', { xrefStream: [0, 4, 1] }],
  ['a hybrid-reference section (/XRefStm, object stream)', { hybrid: { listStream: true } }],
  ['extra spaces in /ByteRange', { byteRange: (n) => `[ ${n.join('  ')} ]` }],
  ['line breaks in /ByteRange', { byteRange: (n) => `[${n.join('\n')}]` }],
  ['/ByteRange padded with spaces before ]', { byteRange: (n) => `[${n.join(' ')}        ]` }],
  [
    '/ByteRange as fixed-width numbers with leading zeros',
    { byteRange: (n) => `[${n.map((x) => String(x).padStart(10, '0')).join(' ')}]` },
  ],
  ['upper-case /Contents hex', { contents: (h, slot) => h.toUpperCase().padEnd(slot, '0') }],
  [
    '/Contents hex in 64-digit lines',
    {
      contents: (h, slot) =>
        h
          .match(/.{1,64}/g)!
          .join('\n')
          .padEnd(slot, '0'),
    },
  ],
  [
    '/Contents hex in CRLF lines',
    {
      contents: (h, slot) =>
        h
          .match(/.{1,64}/g)!
          .join('\r\n')
          .padEnd(slot, '0'),
    },
  ],
  ['a signature dictionary of generation 1', { sigGeneration: 1 }],
  ['field and widget as two objects (/Kids)', { separateWidget: true }],
  ['the signature dictionary direct in /V', { directV: true }],
  ['a newline after %%EOF outside the signed range', { trailing: '\n' }],
  ['NULs after %%EOF', { trailing: '\0\0\0\0' }],
  ['a DOS Ctrl-Z after %%EOF', { trailing: '\x1a' }],
  ['%%EOF written twice', { trailing: '%%EOF\r\n' }],
  ['the signed range ending before the EOL after %%EOF', { excludeFinalEol: true }],
  ['… with CRLF', { excludeFinalEol: true, eol: '\r\n' }],
];

/** CMS spellings, in the default revision. */
const CMS: [string, CmsMaker, ForeignSpelling?][] = [
  ['no signed attributes (-noattr)', opensslCms(pki.officer, chain, ['-noattr'])],
  ['SHA-384', opensslCms(pki.officer, chain, ['-md', 'sha384'])],
  ['SHA-512', opensslCms(pki.officer, chain, ['-md', 'sha512'])],
  ['the signer named by subjectKeyIdentifier (-keyid)', opensslCms(pki.officer, chain, ['-keyid'])],
  ['no S/MIME capabilities', opensslCms(pki.officer, chain, ['-nosmimecap'])],
  [
    'certificates out of order, with unrelated ones',
    opensslCms(
      pki.officer,
      [pki.root.cert, pki.director.cert, pki.ca.cert, pki.tsaCert, pki.officer.cert],
      ['-nocerts'],
    ),
  ],
  ['RSA-PSS', opensslCms(pki.officer, chain, ['-keyopt', 'rsa_padding_mode:pss'])],
  [
    'RSA-PSS, SHA-384, salt = digest length',
    opensslCms(pki.officer, chain, [
      '-md',
      'sha384',
      '-keyopt',
      'rsa_padding_mode:pss',
      '-keyopt',
      'rsa_pss_saltlen:-1',
    ]),
  ],
  ['ECDSA P-256', opensslCms(p256, chain)],
  ['ECDSA P-384, SHA-512', opensslCms(p384, chain, ['-md', 'sha512'])],
  ['ECDSA P-521', opensslCms(p521, chain, ['-md', 'sha512'])],
  [
    'ETSI.CAdES.detached with signing-certificate-v2 (-cades)',
    opensslCms(pki.officer, chain, ['-cades']),
    { subFilter: 'ETSI.CAdES.detached' },
  ],
];

/** Every signature here is made by OpenSSL (`openssl cms`, `openssl ts`): part of the pdfsig tool set. */
const openssl = requireTool('pdfsig', {
  why: "openssl makes every signature of these tests (other signers' CMS)",
});

openssl.describe('structural spellings of other signers verify', () => {
  for (const [what, spelling] of STRUCTURE)
    it(what, async () => {
      const r = await expectValid(foreignSign(letter, officer, spelling));
      expect(r.signatures[0]!.signer?.subject).toContain('Test Officer');
    });
});

openssl.describe('CMS spellings of other signers verify', () => {
  for (const [what, cms, spelling] of CMS) it(what, () => expectValid(foreignSign(letter, cms, spelling)));

  it('adbe.pkcs7.detached over SHA-1 stays refused by policy: INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE', async () => {
    const r = await verify(foreignSign(letter, opensslCms(pki.officer, chain, ['-md', 'sha1'])));
    expect(r.signatures[0]!.checks.find((c) => c.step === 7)).toMatchObject({
      status: 'INDETERMINATE',
      subIndication: 'CRYPTO_CONSTRAINTS_FAILURE',
    });
  });

  it('a CMS that carries the signed bytes itself (openssl -stream, not detached) stays FORMAT_FAILURE', async () => {
    const r = await verify(foreignSign(letter, opensslCms(pki.officer, chain, ['-stream'])));
    expect(r.signatures[0]!.checks.find((c) => c.step === 7)).toMatchObject({
      status: 'FAILED',
      subIndication: 'FORMAT_FAILURE',
    });
  });
});

openssl.describe('document time-stamps by another TSA (openssl ts)', () => {
  it('ESS signing-certificate v1 (SHA-1 certificate hash) or v2, with and without /Type /DocTimeStamp', async () => {
    for (const [essCertIdAlg, spelling] of [
      ['sha1', docTimeStamp],
      ['sha256', docTimeStamp],
      ['sha256', { subFilter: 'ETSI.RFC3161' }],
    ] as const) {
      const r = await expectValid(foreignSign(bLt, opensslTimeStamp(tsa, chain, { essCertIdAlg }), spelling));
      expect(r.signatures.map((s) => s.level)[0]).toBe('B-LTA');
    }
  });
});

openssl.describe('updates after signing written as xref streams or hybrid-reference sections', () => {
  const timeStamps: [string, ForeignSpelling][] = [
    ['an xref stream', { ...docTimeStamp, xrefStream: [1, 3, 1] }],
    ['a hybrid-reference section', { ...docTimeStamp, hybrid: { listStream: true } }],
    [
      'a hybrid-reference section whose stream lists only the object stream',
      {
        ...docTimeStamp,
        hybrid: { listStream: false },
      },
    ],
  ];
  for (const [what, spelling] of timeStamps)
    it(`a document time-stamp in ${what} is a security update (policy security-updates)`, async () => {
      const pdf = foreignSign(bLt, opensslTimeStamp(tsa, chain), spelling);
      const r = await expectValid(pdf, securityUpdates);
      expect(r.signatures.map((s) => s.modification)).toContain('LTA_UPDATES');
      await expectValid(pdf);
    });

  it('a second signature in such an update leaves the first passing under either policy', async () => {
    for (const spelling of [
      { xrefStream: [1, 3, 1] },
      { hybrid: { listStream: true } },
      { hybrid: { listStream: false } },
    ] as ForeignSpelling[]) {
      const pdf = foreignSign(bLt, opensslCms(pki.director, chain), spelling);
      await expectValid(pdf);
      await expectValid(pdf, securityUpdates);
    }
  });

  it('an object stream that also holds an object no xref lists is still unreferenced', async () => {
    const pdf = foreignSign(bLt, opensslTimeStamp(tsa, chain), {
      ...docTimeStamp,
      hybrid: {
        listStream: true,
        smuggle: '<</Type/Annot/Subtype/FreeText/Rect[0 0 500 500]/Contents(GPA 4.00)>>',
      },
    });
    const r = await verify(pdf, securityUpdates);
    const mods = r.signatures[0]!.checks.find((c) => c.step === 11);
    expect(mods).toMatchObject({ status: 'FAILED', message: expect.stringContaining('nothing refers to') });
  });

  it('an appended xref or object stream no cross-reference reads is still unreferenced', async () => {
    const stamped = foreignSign(bLt, opensslTimeStamp(tsa, chain), docTimeStamp);
    await expectValid(stamped, securityUpdates);
    for (const type of ['XRef', 'ObjStm']) {
      const extra = appendUpdate(stamped, ({ next }) => {
        const dictText =
          type === 'XRef'
            ? '<</Type/XRef/W[1 1 1]/Size 1/Length 3>>'
            : '<</Type/ObjStm/N 0/First 0/Length 3>>';
        return new Map([
          [next(), { raw: Buffer.from(`${dictText}stream\n\x01\x00\x00\nendstream`, 'latin1') }],
        ]);
      });
      const r = await verify(extra, securityUpdates);
      const mods = r.signatures.map((s) => s.checks.find((c) => c.step === 11));
      expect(
        mods.some((c) => c?.status === 'FAILED' && /nothing refers to/.test(c.message)),
        type,
      ).toBe(true);
    }
  });
});

openssl.describe('spellings kept refused, on purpose', () => {
  it('a signature widget only in the page /Annots, not in /AcroForm /Fields: NO_SIGNATURE_FOUND, reported as stray', async () => {
    // poppler reads such "standalone" widgets and calls the signature valid. ISO 32000-1 §12.7.1 makes a field
    // only what the /Fields tree reaches, and the change analysis (which widgets are signature fields, sneaky
    // signatures) is built on that tree: a signature outside it is reported, never verified as the document's.
    const r = await verify(foreignSign(letter, officer, { notInFields: true }));
    expect(r.indication).toBe('NO_SIGNATURE_FOUND');
    expect(r.checks.find((c) => c.step === 3)?.warnings.join(' ')).toContain('Stray signature dictionary');
  });
});

const pdfsig = requireTool('pdfsig', { why: 'poppler as an independent verifier of the same bytes' });
pdfsig.describe('poppler pdfsig agrees', () => {
  let db: import('./helpers/pdfsig.js').PdfsigDb;
  beforeAll(async () => {
    const { PdfsigDb } = await import('./helpers/pdfsig.js');
    db = PdfsigDb.create(pki.root.cert);
  });

  it('every structural and CMS spelling above is "Signature is Valid."', () => {
    // Left out: a field whose widget is a /Kids entry (poppler reports "The signature form field is not signed")
    // and a SignerInfo naming its certificate by subjectKeyIdentifier (NSS: "Unknown Validation Failure"); both
    // are RFC 5652 / ISO 32000 shapes poppler does not read.
    const cases: [string, Uint8Array][] = [
      ...STRUCTURE.filter(([, s]) => !s.separateWidget).map(
        ([what, s]) => [what, foreignSign(letter, officer, s)] as [string, Uint8Array],
      ),
      ...CMS.filter(([what]) => !what.includes('subjectKeyIdentifier')).map(
        ([what, cms, s]) => [what, foreignSign(letter, cms, s)] as [string, Uint8Array],
      ),
    ];
    for (const [what, pdf] of cases) expect(db.check(pdf), what).toContain('Signature is Valid.');
  });

  it('both signatures of a second signature in a hybrid-reference update are valid', () => {
    const pdf = foreignSign(bLt, opensslCms(pki.director, chain), { hybrid: { listStream: false } });
    expect(db.check(pdf).match(/Signature is Valid\./g)).toHaveLength(2);
  });
});
