import type * as asn1js from 'asn1js';
import { readBer } from './der.js';
import { PkiError } from './errors.js';

/**
 * The one reader of certificate and CRL files for every thgov package and command, so that a file read by one
 * (`--trust`, `trustAnchors`, `validationData.certificates`, `--crl`) reads the same in all. It takes the files as
 * agencies have them: PEM saved on Windows (CRLF, a UTF-8 or UTF-16 byte-order mark), OpenSSL's printouts (Bag
 * Attributes, `subject=` lines, the `-text` dump before the block), OpenSSL's TRUSTED CERTIFICATE, the legacy
 * `X509 CERTIFICATE` label, DER, and PKCS#7 bundles (.p7b/.p7c, DER or PEM) from CA portals and Windows.
 */

/** The PEM labels read for a wanted label; PKCS#7 bundles are opened for certificates and CRLs alike. */
const LABELS: Record<string, { plain: readonly string[]; trusted?: string }> = {
  CERTIFICATE: {
    plain: ['CERTIFICATE', 'X509 CERTIFICATE', 'X.509 CERTIFICATE'],
    trusted: 'TRUSTED CERTIFICATE',
  },
  'X509 CRL': { plain: ['X509 CRL'] },
};
const PKCS7_LABELS = ['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS'];
/** A label as RFC 7468 allows it (and no longer): anything else after `-----BEGIN ` is not a block. */
const LABEL_CHARS = /^[A-Z0-9 .#_-]{1,64}$/;
/** A DER ContentInfo's start up to the signedData OID (1.2.840.113549.1.7.2), after the outer length. */
const SIGNED_DATA_OID = Buffer.from('06092a864886f70d010702', 'hex');
/** anyExtendedKeyUsage: a trust list holding it limits nothing. */
const ANY_EKU = '2.5.29.37.0';

interface PemBlock {
  label: string;
  der: Uint8Array;
}

/**
 * Reads one or more certificates (or, with `label` `X509 CRL`, CRLs) from PEM text, DER bytes, or a mix. A
 * PKCS#7 bundle gives every certificate (or CRL) it holds, in its order; a TRUSTED CERTIFICATE gives the
 * certificate, and is refused when its trust settings reject uses. DER items are otherwise returned as they
 * are. Throws `ERR_PKI_INPUT` when a text holds no such block, naming what it holds instead (a private key, a
 * certificate request), never quoting it.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * const anchors = decodeCertificates(await readFile('root.pem', 'utf8'));
 * const crls = decodeCertificates(await readFile('ca.crl'), 'X509 CRL');
 * ```
 */
export function decodeCertificates(
  input: string | Uint8Array | readonly (string | Uint8Array)[],
  label = 'CERTIFICATE',
): Uint8Array[] {
  const list = Array.isArray(input) ? input : [input as string | Uint8Array];
  const out: Uint8Array[] = [];
  for (const item of list) {
    if (typeof item === 'string') out.push(...fromText(item, label));
    else if (item instanceof Uint8Array) {
      const text = isWholeDer(item) ? undefined : asText(item);
      if (text?.includes('-----BEGIN ')) out.push(...fromText(text, label));
      else out.push(...fromDer(item, label));
    } else throw new PkiError('ERR_PKI_INPUT', 'Expected PEM text or DER bytes');
  }
  return out;
}

/** True when the bytes are one DER (or BER, indefinite length) SEQUENCE and nothing else: a .cer, .crl, .p7b. */
function isWholeDer(b: Uint8Array): boolean {
  if (b.length < 2 || b[0] !== 0x30) return false;
  const first = b[1]!;
  if (first === 0x80) return true;
  if (first < 0x80) return 2 + first === b.length;
  const n = first & 0x7f;
  if (n > 4 || b.length < 2 + n) return false;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len === b.length;
}

/** File bytes as text: UTF-16 when they start with its byte-order mark, else latin1 (PEM's base64 is ASCII). */
function asText(b: Uint8Array): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (b[0] === 0xff && b[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (b[0] === 0xfe && b[1] === 0xff)
    return Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)))
      .swap16()
      .toString('utf16le');
  return buf.toString('latin1');
}

/** A DER item: a PKCS#7 bundle is opened, anything else is returned for the caller's parser to judge. */
function fromDer(der: Uint8Array, label: string): Uint8Array[] {
  return isSignedData(der) ? fromPkcs7(der, label) : [der];
}

function fromText(text: string, label: string): Uint8Array[] {
  const wanted = LABELS[label] ?? { plain: [label] };
  const out: Uint8Array[] = [];
  const seen: string[] = [];
  for (const block of pemBlocks(text)) {
    seen.push(block.label);
    if (wanted.plain.includes(block.label)) out.push(block.der);
    else if (block.label === wanted.trusted) out.push(trustedCertificate(block.der));
    else if (PKCS7_LABELS.includes(block.label) && isSignedData(block.der))
      out.push(...fromPkcs7(block.der, label));
  }
  if (out.length === 0) throw noneFound(label, seen);
  return out;
}

/**
 * The PEM blocks of a text, in order, in one pass: a block ends at the next `-----END ` line, which must carry
 * its label (blocks do not nest), so hostile text of many BEGIN lines costs linear time. Whatever surrounds the
 * blocks (Bag Attributes, `subject=`, a `-text` dump) is skipped.
 */
function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  let pos = 0;
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', pos);
    if (begin < 0) return out;
    const labelStart = begin + 11;
    const dashes = text.slice(labelStart, labelStart + 70).indexOf('-----');
    const label = dashes < 0 ? '' : text.slice(labelStart, labelStart + dashes);
    if (!LABEL_CHARS.test(label)) {
      pos = labelStart;
      continue;
    }
    const bodyStart = labelStart + dashes + 5;
    const end = text.indexOf('-----END ', bodyStart);
    if (end < 0) return out;
    pos = end + 9;
    if (!text.startsWith(`${label}-----`, pos)) continue;
    pos += label.length + 5;
    const body = text.slice(bodyStart, end).replace(/\s+/g, '');
    out.push({ label, der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
}

/** The error for a text without the wanted block: what it holds instead, by label only (never its content). */
function noneFound(label: string, seen: string[]): PkiError {
  const what = label === 'X509 CRL' ? 'CRL' : label.toLowerCase();
  const held = seen.find((l) => l.endsWith('PRIVATE KEY'))
    ? 'a private key'
    : seen.includes('CERTIFICATE REQUEST') || seen.includes('NEW CERTIFICATE REQUEST')
      ? 'a certificate request (CSR)'
      : seen.length
        ? `PEM blocks labelled ${[...new Set(seen)].slice(0, 4).join(', ')}`
        : undefined;
  return new PkiError(
    'ERR_PKI_INPUT',
    held ? `The text holds ${held}, not a ${what}` : `No PEM ${what} found in the given text`,
  );
}

function isSignedData(der: Uint8Array): boolean {
  if (der.length < 16 || der[0] !== 0x30) return false;
  const lenBytes = der[1]! < 0x80 ? 0 : der[1]! === 0x80 ? 0 : der[1]! & 0x7f;
  const at = 2 + lenBytes;
  return Buffer.from(der.subarray(at, at + SIGNED_DATA_OID.length)).equals(SIGNED_DATA_OID);
}

const parse = (der: Uint8Array, what: string) => {
  const asn = readBer(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer);
  if (asn.offset === -1) throw new PkiError('ERR_PKI_INPUT', `${what} is not readable DER`);
  return asn;
};
const isContext = (b: asn1js.BaseBlock, n: number) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;
const children = (b: asn1js.BaseBlock | undefined): asn1js.BaseBlock[] => {
  const v = (b as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  return Array.isArray(v) ? (v as asn1js.BaseBlock[]) : [];
};

/**
 * The certificates ([0]) or CRLs ([1]) of a PKCS#7 SignedData, each as the exact bytes in the bundle (a
 * re-encoding could break its signature). Only plain X.509 entries (SEQUENCEs); other choices are skipped.
 */
function fromPkcs7(der: Uint8Array, label: string): Uint8Array[] {
  const ci = parse(der, 'The PKCS#7 bundle').result;
  const signedData = children(children(ci)[1])[0];
  const tag = label === 'X509 CRL' ? 1 : 0;
  const set = children(signedData).find((b) => isContext(b, tag));
  const out = children(set)
    .filter((b) => b.idBlock.tagClass === 1 && b.idBlock.tagNumber === 16)
    .map((b) => Uint8Array.from(b.valueBeforeDecodeView));
  if (out.length === 0)
    throw new PkiError('ERR_PKI_INPUT', `The PKCS#7 bundle holds no ${tag ? 'CRL' : 'certificate'}`);
  return out;
}

/**
 * OpenSSL's TRUSTED CERTIFICATE: the certificate followed by its X509_CERT_AUX (a trust list of purposes, a
 * reject list [0], an alias). The certificate is the anchor only when its settings limit nothing: no reject
 * list, and no trust list or one holding anyExtendedKeyUsage. A root the file trusts for some purposes only
 * (`-addtrust serverAuth`) is refused rather than trusted here for signatures it was never trusted for.
 */
function trustedCertificate(der: Uint8Array): Uint8Array {
  const asn = parse(der, 'The trusted certificate');
  const cert = der.subarray(0, asn.offset);
  if (asn.offset < der.length) {
    const aux = parse(der.subarray(asn.offset), 'The trust settings block of a trusted certificate').result;
    const trustList = children(aux).find((b) => b.idBlock.tagClass === 1 && b.idBlock.tagNumber === 16);
    const any = children(trustList).some(
      (b) => (b as { valueBlock?: { toString?: () => string } }).valueBlock?.toString?.() === ANY_EKU,
    );
    const limited = children(aux).some((b) => isContext(b, 0)) || (trustList !== undefined && !any);
    if (limited)
      throw new PkiError(
        'ERR_PKI_INPUT',
        'The TRUSTED CERTIFICATE limits its uses in its OpenSSL trust settings (a trust or reject list); export it without them (openssl x509 -in FILE -out root.pem) to use it as a trust anchor',
      );
  }
  return Uint8Array.from(cert);
}

/**
 * DER bytes as a PEM block (64-column base64).
 *
 * @example
 * ```ts
 * await writeFile('root.pem', toPem(rootDer));
 * ```
 */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}
