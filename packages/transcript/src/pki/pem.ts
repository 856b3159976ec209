import { TranscriptError } from '../errors.js';

/** Reads one or more certificates (or CRLs) given as PEM text, DER bytes, or a mix. */
export function decodeCertificates(
  input: string | Uint8Array | (string | Uint8Array)[],
  label = 'CERTIFICATE',
): Uint8Array[] {
  const list = Array.isArray(input) ? input : [input];
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
        throw new TranscriptError('ERR_PDF_FORMAT', `No PEM ${label.toLowerCase()} found in the given text`);
    } else out.push(item);
  }
  return out;
}

function looksLikePem(b: Uint8Array): boolean {
  return b.length > 10 && Buffer.from(b.subarray(0, 64)).toString('latin1').includes('-----BEGIN');
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}
