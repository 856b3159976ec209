// Signed PDFs encrypted with the Standard security handler and an empty user password (an owner password only:
// Adobe "Secured" documents) are verified. qpdf encrypts a letter no thgov code wrote; the signature is then
// added by a minimal signer written here (its strings encrypted with the object key computed here from the file
// key qpdf reports, its CMS made by OpenSSL), and poppler's pdfsig must call each file valid before esign is asked.
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMsOfAsync, requireTool } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { PdfDocument } from '../src/pdf/document.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import type { VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { opensslCms } from './helpers/foreign-signer.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
const letter = await letterPdf();
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });

function failures(r: VerificationReport): string[] {
  return [...r.checks, ...r.signatures.flatMap((s) => s.checks)]
    .filter((c) => c.status !== 'PASSED' && c.step !== 9)
    .map((c) => `${c.step}: ${c.subIndication} ${c.message}`);
}

// ---- An encrypting writer of our own (test side), independent of src/pdf/crypt.ts ----

type Method = 'rc4' | 'aesv2' | 'aesv3';

function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = [...Array(256).keys()];
  let j = 0;
  for (let i = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) % 256;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  let a = 0;
  let b = 0;
  for (let k = 0; k < data.length; k++) {
    a = (a + 1) % 256;
    b = (b + s[a]!) % 256;
    [s[a], s[b]] = [s[b]!, s[a]!];
    out[k] = data[k]! ^ s[(s[a]! + s[b]!) % 256]!;
  }
  return out;
}

interface Encrypted {
  pdf: Uint8Array;
  fileKey: Buffer;
  method: Method;
}

/** Algorithm 1 of ISO 32000: `text` encrypted for object `num` 0, as a hex string token. */
function encString(e: Encrypted, num: number, text: string): string {
  const data = Buffer.from(text, 'latin1');
  let key = e.fileKey;
  if (e.method !== 'aesv3') {
    const salt = e.method === 'aesv2' ? Buffer.from('sAlT', 'latin1') : Buffer.alloc(0);
    const id = Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0]);
    key = createHash('md5')
      .update(Buffer.concat([e.fileKey, id, salt]))
      .digest()
      .subarray(0, Math.min(e.fileKey.length + 5, 16));
  }
  if (e.method === 'rc4') return `<${rc4(key, data).toString('hex')}>`;
  const iv = randomBytes(16);
  const c = createCipheriv(key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc', key, iv);
  return `<${Buffer.concat([iv, c.update(data), c.final()]).toString('hex')}>`;
}

const dir = () => mkdtempSync(join(tmpdir(), 'thgov-esign-enc-'));

function qpdf(args: string[]): string {
  return execFileSync('qpdf', args, { encoding: 'utf8', stdio: 'pipe' });
}

/** `qpdf --encrypt "" owner <args> -- in out` (plus `extra` options), with the file key qpdf reports. */
function encrypt(pdf: Uint8Array, args: string[], extra: string[] = [], user = ''): Encrypted {
  const d = dir();
  writeFileSync(join(d, 'in.pdf'), pdf);
  qpdf([
    '--allow-weak-crypto',
    ...extra,
    '--encrypt',
    user,
    'owner',
    ...args,
    '--',
    join(d, 'in.pdf'),
    join(d, 'out.pdf'),
  ]);
  const out = new Uint8Array(readFileSync(join(d, 'out.pdf')));
  if (user) return { pdf: out, fileKey: Buffer.alloc(0), method: 'rc4' };
  const info = qpdf(['--show-encryption', '--show-encryption-key', join(d, 'out.pdf')]);
  const r = Number(/^R = (\d+)/m.exec(info)![1]);
  const method: Method = r === 6 ? 'aesv3' : /AESv2/.test(info) ? 'aesv2' : 'rc4';
  return { pdf: out, fileKey: Buffer.from(/Encryption key = ([0-9a-f]+)/.exec(info)![1]!, 'hex'), method };
}

/** What qpdf shows of the last revision: the trailer, catalog and first page, decrypted. */
function showObjects(pdf: Uint8Array) {
  const d = dir();
  const file = join(d, 'f.pdf');
  writeFileSync(file, pdf);
  const trailer = qpdf(['--show-object=trailer', file]).trim();
  const root = /\/Root (\d+) (\d+) R/.exec(trailer)!;
  const page = /page 1: (\d+) (\d+) R/.exec(qpdf(['--show-pages', file]))!;
  const show = (n: string) => qpdf([`--show-object=${n}`, file]).trim();
  const catalog = show(root[1]!);
  // pdf-lib writes an empty /Annots, which the widget then fills.
  const pageText = show(page[1]!).replace(/\/Annots \[ \]/, '');
  // Rewritten objects are copied as qpdf shows them: they must hold no string to re-encrypt.
  for (const t of [catalog, pageText]) if (/\(|<[0-9a-fA-F]/.test(t)) throw new Error(`has strings: ${t}`);
  const s = Buffer.from(pdf).toString('latin1');
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(s)![1]);
  return { trailer, root: `${root[1]} ${root[2]}`, rootNum: Number(root[1]), page, catalog, pageText, prev };
}

function appendObjects(pdf: Uint8Array, objs: [number, string][], trailerExtra = ''): Buffer {
  const base = Buffer.from(pdf);
  const shown = showObjects(pdf);
  const size = Number(/\/Size (\d+)/.exec(shown.trailer)![1]);
  let text = '\n';
  const offsets: [number, number][] = [];
  for (const [num, body] of objs) {
    offsets.push([num, base.length + text.length]);
    text += `${num} 0 obj\n${body}\nendobj\n`;
  }
  const xrefAt = base.length + text.length;
  text += 'xref\n0 1\n0000000000 65535 f \n';
  for (const [num, off] of offsets.sort((a, b) => a[0] - b[0]))
    text += `${num} 1\n${String(off).padStart(10, '0')} 00000 n \n`;
  const keep = ['Encrypt', 'Info']
    .map((k) => new RegExp(`/${k} \\d+ \\d+ R`).exec(shown.trailer)?.[0] ?? '')
    .join('');
  const id = /\/ID \[[^\]]*\]/.exec(shown.trailer)?.[0] ?? '';
  const newSize = Math.max(size, ...objs.map(([n]) => n + 1));
  text += `trailer\n<</Size ${newSize}/Root ${shown.root} R${keep}${id}/Prev ${shown.prev}${trailerExtra}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([base, Buffer.from(text, 'latin1')]);
}

const PLACE = 'B'.repeat(46);
const SLOT = 30000;

/** The minimal signer: field, widget, signature dictionary, AcroForm, catalog and page, then OpenSSL's CMS. */
function signEncrypted(e: Encrypted): { pdf: Uint8Array; fieldNum: number; field: (t: string) => string } {
  const shown = showObjects(e.pdf);
  const size = Number(/\/Size (\d+)/.exec(shown.trailer)![1]);
  const [sigNum, fieldNum, acroNum] = [size, size + 1, size + 2];
  const withKey = (dict: string, extra: string) => `${dict.slice(0, dict.lastIndexOf('>>'))}${extra} >>`;
  const field = (t: string) =>
    `<</Type/Annot/Subtype/Widget/FT/Sig/T ${encString(e, fieldNum, t)}/V ${sigNum} 0 R/F 132/Rect[0 0 0 0]/P ${shown.page[1]} ${shown.page[2]} R>>`;
  const sig = `<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached/ByteRange ${PLACE}/Contents <${'0'.repeat(SLOT)}>/M ${encString(e, sigNum, 'D:20260101000000Z')}/Name ${encString(e, sigNum, 'Test Officer')}>>`;
  if (/\/Annots|\/AcroForm/.test(shown.pageText + shown.catalog)) throw new Error('unexpected form');
  const pdf = appendObjects(e.pdf, [
    [sigNum, sig],
    [fieldNum, field('Signature1')],
    [acroNum, `<</Fields[${fieldNum} 0 R]/SigFlags 3>>`],
    [shown.rootNum, withKey(shown.catalog, `/AcroForm ${acroNum} 0 R`)],
    [Number(shown.page[1]), withKey(shown.pageText, `/Annots[${fieldNum} 0 R]`)],
  ]);
  const str = pdf.toString('latin1');
  const brAt = str.lastIndexOf(PLACE);
  const cAt = str.indexOf('<', brAt);
  const gapEnd = cAt + SLOT + 2;
  pdf.write(`[0 ${cAt} ${gapEnd} ${pdf.length - gapEnd}]`.padEnd(PLACE.length, ' '), brAt, 'latin1');
  const signed = Buffer.concat([pdf.subarray(0, cAt), pdf.subarray(gapEnd)]);
  const hex = Buffer.from(opensslCms(pki.officer, [pki.ca.cert])(signed)).toString('hex');
  pdf.write(hex.padEnd(SLOT, '0'), cAt + 1, 'latin1');
  return { pdf: new Uint8Array(pdf), fieldNum, field };
}

const VARIANTS: [string, string[], string[]][] = [
  ['RC4 40-bit (V1, R2)', ['40'], []],
  ['RC4 128-bit (V2, R3)', ['128', '--use-aes=n'], []],
  ['AES-128 crypt filters (V4, R4)', ['128', '--use-aes=y'], []],
  ['AES-128 with object streams', ['128', '--use-aes=y'], ['--object-streams=generate']],
  ['RC4 128-bit with object streams', ['128', '--use-aes=n'], ['--object-streams=generate']],
  [
    'AES-128 with cleartext metadata (/EncryptMetadata false)',
    ['128', '--use-aes=y', '--cleartext-metadata'],
    [],
  ],
  ['AES-256 (V5, R6)', ['256'], []],
  ['AES-256 with object streams', ['256'], ['--object-streams=generate']],
];

const qpdfTool = requireTool('qpdf', { why: 'qpdf encrypts the PDFs as other tools do' });
const pdfsigTool = requireTool('pdfsig', { why: 'openssl signs and poppler pdfsig judges the same bytes' });

qpdfTool.describe('encrypted PDFs signed by other signers', () => {
  pdfsigTool.describe('empty user password: verified, and pdfsig agrees', () => {
    const made = new Map<string, ReturnType<typeof signEncrypted> & { e: Encrypted }>();
    let db: import('./helpers/pdfsig.js').PdfsigDb;
    beforeAll(async () => {
      const { PdfsigDb } = await import('./helpers/pdfsig.js');
      db = PdfsigDb.create(pki.root.cert);
      for (const [what, args, extra] of VARIANTS) {
        const e = encrypt(letter, args, extra);
        made.set(what, { ...signEncrypted(e), e });
      }
    }, 60_000);

    for (const [what] of VARIANTS) {
      it(`${what}: pdfsig "Signature is Valid", esign TOTAL_PASSED`, async () => {
        const { pdf } = made.get(what)!;
        const oracle = db.check(pdf);
        expect(oracle).toContain('Signature is Valid.');
        expect(oracle).toContain('Total document signed');
        const r = await verify(pdf);
        expect(r.indication, failures(r).join('\n')).toBe('TOTAL_PASSED');
        expect(r.signatures).toHaveLength(1);
        expect(r.signatures[0]!.indication).toBe('TOTAL_PASSED');
        expect(r.signatures[0]!.signer?.subject).toContain('Test Officer');
        // The field name is an encrypted string: read decrypted.
        expect(r.signatures[0]!.fieldName).toBe('Signature1');
        // The report says the file was encrypted (a reader of the report could not tell before).
        const guards = r.checks.find((c) => c.id === 'input-guards')!;
        expect(guards.message).toMatch(/encrypted/);
        expect(guards.evidence).toMatchObject({ encryption: expect.stringMatching(/^Standard .*R\d/) });
      });
    }

    it('a changed signed byte is a HASH_FAILURE (pdfsig agrees)', async () => {
      for (const what of ['RC4 128-bit (V2, R3)', 'AES-256 (V5, R6)']) {
        const pdf = Buffer.from(made.get(what)!.pdf);
        const s = pdf.toString('latin1');
        // The first hex digit of the encrypted /Name (for AES: its IV, so the string still decrypts).
        const at = s.indexOf('/Name <', s.lastIndexOf('/ByteRange')) + 7;
        pdf[at] = pdf[at] === 0x30 ? 0x31 : 0x30;
        expect(db.check(pdf), what).not.toContain('Signature is Valid.');
        const r = await verify(pdf);
        expect(r.signatures[0]?.subIndication, `${what}: ${failures(r).join('\n')}`).toBe('HASH_FAILURE');
      }
    });

    it('an update after signing that changes an encrypted field value is a modification', async () => {
      for (const what of ['RC4 128-bit (V2, R3)', 'AES-128 crypt filters (V4, R4)', 'AES-256 (V5, R6)']) {
        const { pdf, fieldNum, field } = made.get(what)!;
        const renamed = appendObjects(pdf, [[fieldNum, field('Signature2')]]);
        expect(db.check(renamed), what).toContain('Signature is Valid.');
        const r = await verify(renamed);
        expect(r.indication, what).toBe('TOTAL_FAILED');
        expect(failures(r).join('\n'), what).toMatch(/Disallowed changes after signing/);
        // The same value encrypted again (for AES with a fresh IV: other bytes) is no change.
        const same = appendObjects(pdf, [[fieldNum, field('Signature1')]]);
        const r2 = await verify(same);
        expect(r2.indication, `${what}: ${failures(r2).join('\n')}`).toBe('TOTAL_PASSED');
      }
    });

    it('an object that does not decrypt (AES data of a bad length) refuses the document: ERR_PDF_FORMAT', async () => {
      const { pdf, fieldNum } = made.get('AES-128 crypt filters (V4, R4)')!;
      const bad = appendObjects(pdf, [
        [fieldNum + 5, '<</Type/Annot/Subtype/Text/Rect[0 0 1 1]/Contents <0011>>>'],
      ]);
      const r = await verify(bad);
      expect(r.errorCode).toBe('ERR_PDF_FORMAT');
      expect(r.indication).not.toBe('TOTAL_PASSED');
    });

    it('signing or extending an encrypted PDF stays refused with ERR_PDF_ENCRYPTED', async () => {
      const { pdf, e } = made.get('AES-256 (V5, R6)')!;
      const sign = signPdf(e.pdf, {
        signer: signerFor(pki, pki.officer),
        trustAnchors: pki.root.cert,
        validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
      });
      await expect(sign).rejects.toMatchObject({ code: 'ERR_PDF_ENCRYPTED', message: /not signed/ });
      await expect(
        extendPdf(pdf, { level: 'B-LT', trustAnchors: pki.root.cert, validationData: { crls: pki.crls } }),
      ).rejects.toMatchObject({
        code: 'ERR_PDF_ENCRYPTED',
      });
    });
  });

  it('a PDF that needs a user password is refused: ERR_PDF_ENCRYPTED naming the password', async () => {
    for (const args of [['256'], ['128', '--use-aes=y'], ['40']]) {
      const { pdf } = encrypt(letter, args, [], 'secret');
      const r = await verify(pdf);
      expect(r.errorCode, args.join(' ')).toBe('ERR_PDF_ENCRYPTED');
      expect(r.indication).not.toBe('TOTAL_PASSED');
      expect(() => new PdfDocument(pdf, {}, undefined, { openEncrypted: true })).toThrow(/user password/);
    }
  });

  it('an altered /P is caught: by /Perms (R6) and by the key derivation (R3)', async () => {
    for (const [args, message] of [
      [['256'], /Perms/],
      [['128', '--use-aes=n'], /user password/],
    ] as const) {
      const pdf = Buffer.from(encrypt(letter, [...args]).pdf);
      const at = pdf.indexOf('/P -4');
      expect(at).toBeGreaterThan(0);
      pdf.write('/P -8', at, 'latin1');
      expect(() => new PdfDocument(pdf, {}, undefined, { openEncrypted: true })).toThrow(message);
      expect((await verify(pdf)).errorCode).toBe('ERR_PDF_ENCRYPTED');
    }
  });
});

// ---- Hostile /Encrypt dictionaries: typed errors, fast ----

/** A one-page PDF whose trailer has `/Encrypt enc` (and `/ID` unless `noId`); `extra` objects from number 4. */
function hostile(enc: string, opts: { noId?: boolean; extra?: string[] } = {}): Uint8Array {
  const objs = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>',
    ...(opts.extra ?? []),
  ];
  let text = '%PDF-1.7\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(text.length);
    text += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xrefAt = text.length;
  text += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) text += `${String(off).padStart(10, '0')} 00000 n \n`;
  const id = opts.noId ? '' : '/ID[<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>]';
  text += `trailer\n<</Size ${objs.length + 1}/Root 1 0 R/Encrypt ${enc}${id}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

const O32 = `<${'ab'.repeat(32)}>`;
const U32 = `<${'cd'.repeat(32)}>`;
const U48 = `<${'cd'.repeat(48)}>`;

const HOSTILE: [string, Uint8Array][] = [
  ['an incomplete dictionary (/Filter /Standard only)', hostile('<</Filter/Standard>>')],
  ['another security handler', hostile(`<</Filter/Adobe.PubSec/V 2/R 3/P -4/O ${O32}/U ${U32}>>`)],
  ['an absurd /Length', hostile(`<</Filter/Standard/V 2/R 3/Length 4096/P -4/O ${O32}/U ${U32}>>`)],
  ['/Length not a multiple of 8', hostile(`<</Filter/Standard/V 2/R 3/Length 41/P -4/O ${O32}/U ${U32}>>`)],
  ['an absurd /R', hostile(`<</Filter/Standard/V 2/R 99/P -4/O ${O32}/U ${U32}>>`)],
  ['an absurd /V', hostile(`<</Filter/Standard/V 77/R 3/P -4/O ${O32}/U ${U32}>>`)],
  ['R5 (deprecated)', hostile(`<</Filter/Standard/V 5/R 5/P -4/O ${U48}/U ${U48}>>`)],
  ['/O and /U missing', hostile('<</Filter/Standard/V 2/R 3/P -4>>')],
  ['/U of 5 bytes', hostile(`<</Filter/Standard/V 2/R 3/P -4/O ${O32}/U <0102030405>>>`)],
  ['/P not a number', hostile(`<</Filter/Standard/V 2/R 3/P/X/O ${O32}/U ${U32}>>`)],
  [
    'a huge /U into the R6 hash loop',
    hostile(
      `<</Filter/Standard/V 5/R 6/P -4/O ${U48}/U <${'cd'.repeat(1 << 20)}>/OE ${O32}/UE ${U32}/Perms <${'00'.repeat(16)}>>>`,
    ),
  ],
  [
    'R6 without /UE',
    hostile(`<</Filter/Standard/V 5/R 6/P -4/O ${U48}/U ${U48}/Perms <${'00'.repeat(16)}>>>`),
  ],
  [
    'R6 with a wrong /U (password needed)',
    hostile(
      `<</Filter/Standard/V 5/R 6/P -4/O ${U48}/U ${U48}/OE ${O32}/UE ${U32}/Perms <${'00'.repeat(16)}>>>`,
    ),
  ],
  [
    'V4 naming an undefined crypt filter',
    hostile(`<</Filter/Standard/V 4/R 4/P -4/O ${O32}/U ${U32}/StmF/StdCF/StrF/StdCF>>`),
  ],
  [
    '/ID missing (R3)',
    hostile(`<</Filter/Standard/V 2/R 3/Length 128/P -4/O ${O32}/U ${U32}>>`, { noId: true }),
  ],
  ['an indirect /Encrypt pointing to itself', hostile('4 0 R', { extra: ['4 0 R'] })],
  ['an indirect /Encrypt to a missing object', hostile('9 0 R')],
  ['/Encrypt not a dictionary', hostile('[1 2 3]')],
];

describe('hostile /Encrypt dictionaries', () => {
  for (const [what, pdf] of HOSTILE) {
    it(`${what}: a typed error, fast`, async () => {
      let code: string | undefined;
      let errorCode: string | undefined;
      // CPU time, not wall time: a loaded CI machine stretches the latter. The first case also pays for
      // loading the verifier's modules; a key-derivation loop gone unbounded costs minutes.
      const cpuMs = await cpuMsOfAsync(async () => {
        try {
          new PdfDocument(pdf, {}, undefined, { openEncrypted: true });
        } catch (err) {
          code = isEsignError(err) ? err.code : 'untyped';
        }
        errorCode = (await verify(pdf)).errorCode;
      });
      expect(['ERR_PDF_ENCRYPTED', 'ERR_PDF_FORMAT']).toContain(code);
      expect(['ERR_PDF_ENCRYPTED', 'ERR_PDF_FORMAT']).toContain(errorCode);
      expect(cpuMs).toBeLessThan(5000);
    });
  }

  it('without openEncrypted (signing, extending) any /Encrypt is refused', () => {
    expect(() => new PdfDocument(hostile('<</Filter/Standard>>'))).toThrow(
      /signing or extending one needs an unencrypted copy/,
    );
  });
});

it('the report of an unencrypted PDF names no encryption', async () => {
  const r = await verify(letter);
  const guards = r.checks.find((c) => c.id === 'input-guards')!;
  expect(guards.message).not.toMatch(/is encrypted/);
  expect(guards.evidence).not.toHaveProperty('encryption');
});
