import { PkiError } from './errors.js';

/**
 * Reads one or more PEM blocks with the given label (`CERTIFICATE`, `X509 CRL`, …) from PEM text, DER bytes,
 * or a mix; DER items are returned as they are. Throws `ERR_PKI_INPUT` when a text holds no such block.
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
    if (typeof item === 'string' || looksLikePem(item)) {
      const text = typeof item === 'string' ? item : Buffer.from(item).toString('latin1');
      const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
      let found = false;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
        found = true;
      }
      if (!found)
        throw new PkiError('ERR_PKI_INPUT', `No PEM ${label.toLowerCase()} found in the given text`);
    } else if (item instanceof Uint8Array) out.push(item);
    else throw new PkiError('ERR_PKI_INPUT', 'Expected PEM text or DER bytes');
  }
  return out;
}

function looksLikePem(b: Uint8Array): boolean {
  return b.length > 10 && Buffer.from(b.subarray(0, 64)).toString('latin1').includes('-----BEGIN');
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
