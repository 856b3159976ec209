// Certificate files in the shapes agencies have them. Node's TLS takes `ca` and `cert` as PEM only: in `ca` it
// silently skips a DER certificate (a Windows .cer export), a PKCS#7 bundle (.p7b) and any CERTIFICATE block whose
// content does not decode, so the connection later fails with an unrelated "self-signed certificate" error or
// trusts fewer CAs than the file names; a DER `cert` fails at the first connection with an OpenSSL PEM error.
// Here a DER certificate is turned into PEM, and anything Node would not read is an ERR_INVALID_ARG when the
// client is made. Messages name the option and the entry, never the bytes.
import { nodeCrypto } from './builtins.js';
import { invalidArgument } from './errors.js';

/** A PEM certificate block OpenSSL reads as a certificate (TRUSTED CERTIFICATE: OpenSSL's own trust format). */
const CERT_BLOCK = /-----BEGIN ((?:TRUSTED |X509 )?CERTIFICATE)-----([^-]*)-----END \1-----/g;
/** DER of the signedData OID (1.2.840.113549.1.7.2), which a PKCS#7 bundle names near its start. */
const SIGNED_DATA_OID = Buffer.from('06092a864886f70d010702', 'hex');
const P7B_HINT =
  'a PKCS#7 bundle (.p7b/.p7c) is not read: convert it with `openssl pkcs7 -print_certs -in FILE -out FILE.pem`';

type CertInput = string | Buffer;

/** Whether the bytes (or text) are PEM: the caller then reads blocks rather than DER. */
function asText(entry: CertInput): string | undefined {
  if (typeof entry === 'string') return entry;
  return entry.includes('-----BEGIN ') ? entry.toString('latin1') : undefined;
}

function looksLikePkcs7(der: Buffer): boolean {
  return der[0] === 0x30 && der.subarray(0, 32).includes(SIGNED_DATA_OID);
}

/** The DER certificate in `der` as PEM; undefined when it is not one X.509 certificate. */
function derToPem(der: Buffer): string | undefined {
  try {
    return new (nodeCrypto().X509Certificate)(der).toString();
  } catch {
    return undefined;
  }
}

/** Checks every certificate block of PEM text decodes; returns the text unchanged, or why it cannot be read. */
function checkPem(text: string, where: string): string {
  // Node would skip the bundle and keep the rest: the CAs it holds would be missing without a word.
  if (text.includes('-----BEGIN PKCS7-----')) throw invalidArgument(`${where}: ${P7B_HINT}`);
  let blocks = 0;
  for (const m of text.matchAll(CERT_BLOCK)) {
    blocks++;
    // A TRUSTED CERTIFICATE carries OpenSSL's trust settings after the certificate: OpenSSL reads it as is.
    if (m[1] === 'TRUSTED CERTIFICATE') continue;
    const base64 = (m[2] ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || !derToPem(Buffer.from(base64, 'base64')))
      throw invalidArgument(`${where}: certificate ${blocks} of its PEM text does not decode`);
  }
  if (blocks > 0) return text;
  throw invalidArgument(`${where}: holds no PEM certificate`);
}

/** One `ca` or `cert` entry as PEM that Node reads whole. */
function certificatePem(entry: CertInput, where: string): CertInput {
  const text = asText(entry);
  if (text !== undefined) {
    checkPem(text, where);
    return entry;
  }
  const der = entry as Buffer;
  const pem = derToPem(der);
  if (pem) return pem;
  throw invalidArgument(
    looksLikePkcs7(der) ? `${where}: ${P7B_HINT}` : `${where}: neither a PEM nor a DER certificate`,
  );
}

/**
 * `tls.ca` as Node reads it: every entry PEM (a DER certificate converted), every certificate in it readable.
 *
 * @example
 * ```ts
 * const ca = trustedCaPem(readFileSync('platform-ca.cer')); // a DER export works as PEM would
 * ```
 */
export function trustedCaPem(ca: CertInput): CertInput;
export function trustedCaPem(ca: CertInput | CertInput[]): CertInput | CertInput[];
export function trustedCaPem(ca: CertInput | CertInput[]): CertInput | CertInput[] {
  if (!Array.isArray(ca)) return certificatePem(ca, 'tls.ca');
  return ca.map((entry, i) => certificatePem(entry, `tls.ca entry ${i + 1}`));
}

/**
 * `tls.cert` as Node reads it: PEM (one certificate or a chain) kept after every block is checked; one DER
 * certificate converted to PEM.
 *
 * @example
 * ```ts
 * const cert = clientCertificatePem(readFileSync('agency-client.cer'));
 * ```
 */
export function clientCertificatePem(cert: CertInput): CertInput {
  return certificatePem(cert, 'tls.cert');
}
