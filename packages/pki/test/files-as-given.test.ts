import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeCertificates,
  exportPkcs8Pem,
  isPkiError,
  toPem,
  validateCertificatePath,
} from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy } from './helpers/hierarchy.js';

// Certificate files as registrars and officers hand them over: saved on Windows, exported by CA portals, printed
// by OpenSSL 1.x/3.x or Java keytool. Each must read as the same DER, or fail with a typed error that names what
// the file is and quotes none of it.
const h = await createHierarchy();
const root = h.root.cert;
const ca = h.ca.cert;
const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');
const hex = (list: Uint8Array[]) => list.map((d) => Buffer.from(d).toString('hex'));

/** A certs-only PKCS#7 SignedData (`openssl crl2pkcs7 -nocrl`, a CA portal's .p7b), DER. */
function p7b(certs: Uint8Array[], crls: Uint8Array[] = []): Uint8Array {
  const sd = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
    certificates: certs.map((c) => pkijs.Certificate.fromBER(c)),
    ...(crls.length ? { crls: crls.map((c) => pkijs.CertificateRevocationList.fromBER(c)) } : {}),
  });
  const ci = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER(false));
}

/** OpenSSL's "TRUSTED CERTIFICATE": the certificate followed by its X509_CERT_AUX (trust OIDs, alias). */
function trusted(cert: Uint8Array, aux: asn1js.BaseBlock[]): Uint8Array {
  const tail = new asn1js.Sequence({ value: aux }).toBER(false);
  return new Uint8Array(Buffer.concat([Buffer.from(cert), Buffer.from(tail)]));
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('PEM as it is saved on other machines', () => {
  const pem = toPem(root);
  it.each([
    ['CRLF line endings', pem.replace(/\n/g, '\r\n')],
    ['a UTF-8 byte-order mark', `\uFEFF${pem}`],
    [
      'one long base64 line with trailing spaces',
      `-----BEGIN CERTIFICATE-----\n${b64(root)}   \n-----END CERTIFICATE-----\n`,
    ],
    [
      '76-column base64 (MIME)',
      `-----BEGIN CERTIFICATE-----\n${b64(root).replace(/.{76}/g, '$&\n')}\n-----END CERTIFICATE-----`,
    ],
  ])('%s, as text and as bytes', (_what, text) => {
    expect(hex(decodeCertificates(text))).toEqual(hex([root]));
    expect(hex(decodeCertificates(new Uint8Array(Buffer.from(text, 'utf8'))))).toEqual(hex([root]));
  });

  it('OpenSSL "Bag Attributes" and subject=/issuer= lines before each block, read from a file (bytes)', () => {
    const header = (name: string) =>
      `Bag Attributes\n    localKeyID: 5A 1C 47 9B 00 3D 28 1E 9F 0A 2C 71 63 3E 55 A1 90 6B 12 7E\n    friendlyName: ${name}\nsubject=C = TH, O = Test, CN = ${name}\n\nissuer=C = TH, O = Test, CN = Test Root\n\n`;
    const text = `${header('Test CA')}${toPem(ca)}${header('Test Root')}${toPem(root)}`;
    expect(hex(decodeCertificates(new Uint8Array(Buffer.from(text))))).toEqual(hex([ca, root]));
  });

  it('`openssl x509 -text` output (the dump before the block) and text after it', () => {
    const text = `Certificate:\n${'    Data: …\n'.repeat(40)}${toPem(root)}\nThis is the root of the Test PKI.\n`;
    expect(hex(decodeCertificates(new Uint8Array(Buffer.from(text))))).toEqual(hex([root]));
  });

  it('a UTF-16 LE file with BOM (PowerShell 5 `>` / Out-File), text and several blocks', () => {
    const text = `\uFEFF${toPem(ca)}\r\n${toPem(root)}`.replace(/\n/g, '\r\n');
    expect(hex(decodeCertificates(new Uint8Array(Buffer.from(text, 'utf16le'))))).toEqual(hex([ca, root]));
  });

  it('-----BEGIN X509 CERTIFICATE----- (the legacy label RFC 7468 lists)', () => {
    const text = toPem(root, 'X509 CERTIFICATE');
    expect(hex(decodeCertificates(text))).toEqual(hex([root]));
  });

  const trustList = (oid: string) =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] });
  const alias = new asn1js.Utf8String({ value: 'Test Root' });

  it('-----BEGIN TRUSTED CERTIFICATE----- (OpenSSL -trustout) that limits nothing: the certificate', () => {
    for (const aux of [[alias], [trustList('2.5.29.37.0'), alias], []]) {
      const text = toPem(trusted(root, aux), 'TRUSTED CERTIFICATE');
      expect(hex(decodeCertificates(text))).toEqual(hex([root]));
    }
  });

  it('a TRUSTED CERTIFICATE trusted for some purposes only, or rejecting uses, is refused as an anchor', () => {
    const reject = new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 0 },
      value: [new asn1js.ObjectIdentifier({ value: '2.5.29.37.0' })],
    });
    for (const aux of [[reject], [trustList('1.3.6.1.5.5.7.3.1'), alias], [trustList('1.3.6.1.5.5.7.3.3')]]) {
      const err = errorOf(() => decodeCertificates(toPem(trusted(root, aux), 'TRUSTED CERTIFICATE')));
      expect(isPkiError(err, 'ERR_PKI_INPUT')).toBe(true);
      expect(err.message).toMatch(/trust settings/);
    }
  });
});

describe('DER and PKCS#7 bundles', () => {
  it('a DER .cer is read as it is', () => {
    expect(hex(decodeCertificates(root))).toEqual(hex([root]));
  });

  it('a DER .p7b (certs-only PKCS#7) gives every certificate, in the bundle order', async () => {
    expect(hex(decodeCertificates(p7b([ca, root])))).toEqual(hex([ca, root]));
    const r = await validateCertificatePath(h.signer.cert, {
      intermediates: p7b([ca]),
      trustAnchors: p7b([root]),
      revocation: { crls: [await h.crl(h.ca), await h.crl(h.root)] },
    });
    expectOutcome(r, 'PASSED');
  });

  it('a PEM -----BEGIN PKCS7----- bundle (Windows "Base-64 .p7b", openssl crl2pkcs7), with CRLF', () => {
    const text = toPem(p7b([ca, root]), 'PKCS7').replace(/\n/g, '\r\n');
    expect(hex(decodeCertificates(new Uint8Array(Buffer.from(text))))).toEqual(hex([ca, root]));
    expect(hex(decodeCertificates(text))).toEqual(hex([ca, root]));
  });

  it('the CRLs of a PKCS#7 bundle are read when CRLs are asked for', async () => {
    const crl = await h.crl(h.ca, {});
    const bundle = p7b([ca], [crl]);
    expect(hex(decodeCertificates(bundle, 'X509 CRL'))).toEqual(hex([crl]));
    expect(hex(decodeCertificates(toPem(bundle, 'PKCS7'), 'X509 CRL'))).toEqual(hex([crl]));
  });
});

describe('a file that is something else', () => {
  it('a private key or a CSR: ERR_PKI_INPUT naming what it is, quoting none of it', async () => {
    const keyPem = await exportPkcs8Pem(
      (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']))
        .privateKey as never,
    );
    const body = keyPem.split('\n')[1]!;
    for (const [text, what] of [
      [keyPem, /private key/i],
      [keyPem.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'), /private key/i],
      [`-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`, /request/i],
    ] as const) {
      for (const input of [text, new Uint8Array(Buffer.from(text))]) {
        const err = errorOf(() => decodeCertificates(input));
        expect(isPkiError(err, 'ERR_PKI_INPUT')).toBe(true);
        expect(err.message).toMatch(what);
        expect(err.message).not.toContain(body.slice(0, 12));
      }
    }
  });
});

describe('hostile byte-order marks', () => {
  it('a UTF-16 mark over an odd number of bytes is passed on as DER, never a RangeError', () => {
    for (const bytes of [
      [0xfe, 0xff, 0x41],
      [0xfe, 0xff, 0x00, 0x2d, 0x2d],
    ]) {
      expect(decodeCertificates(new Uint8Array(bytes))).toEqual([new Uint8Array(bytes)]);
    }
  });
});

const openssl = requireTool('pdfsig', { why: 'openssl writes the trusted-certificate and .p7b files' });
openssl.describe('files written by openssl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-pki-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'root.pem'), toPem(root));
  writeFileSync(join(dir, 'ca.pem'), toPem(ca));

  it('x509 -trustout (TRUSTED CERTIFICATE) and -text output; -addtrust for one purpose is refused', () => {
    run('x509', '-in', 'root.pem', '-trustout', '-setalias', 'รากทดสอบ', '-out', 't.pem');
    expect(readFileSync(join(dir, 't.pem'), 'utf8')).toContain('BEGIN TRUSTED CERTIFICATE');
    expect(hex(decodeCertificates(readFileSync(join(dir, 't.pem'))))).toEqual(hex([root]));
    run('x509', '-in', 'root.pem', '-trustout', '-addtrust', 'emailProtection', '-out', 'e.pem');
    expect(
      isPkiError(
        errorOf(() => decodeCertificates(readFileSync(join(dir, 'e.pem')))),
        'ERR_PKI_INPUT',
      ),
    ).toBe(true);
    run('x509', '-in', 'root.pem', '-text', '-out', 'text.pem');
    expect(hex(decodeCertificates(readFileSync(join(dir, 'text.pem'))))).toEqual(hex([root]));
  });

  it('crl2pkcs7 -nocrl, PEM and DER', () => {
    run('crl2pkcs7', '-nocrl', '-certfile', 'ca.pem', '-certfile', 'root.pem', '-out', 'b.p7b');
    run(
      'crl2pkcs7',
      '-nocrl',
      '-certfile',
      'ca.pem',
      '-certfile',
      'root.pem',
      '-outform',
      'DER',
      '-out',
      'b.p7c',
    );
    for (const f of ['b.p7b', 'b.p7c']) {
      const got = hex(decodeCertificates(readFileSync(join(dir, f))));
      expect(got.sort()).toEqual(hex([ca, root]).sort());
    }
  });
});
