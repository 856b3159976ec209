import { X509Certificate } from 'node:crypto';
import { decodeCertificates, isPkiError } from '@thgov/pki';
import { UsageError } from './io.js';

/**
 * The certificates (DER) of a `--trust`, `--tsa-trust` or `--chain` file, read by @thgov/pki's one reader (PEM
 * with whatever Windows or OpenSSL put around it, DER, TRUSTED CERTIFICATE, a .p7b bundle) and each checked to
 * be X.509, so that a wrong file is a usage error before anything is signed or verified.
 *
 * @example
 * ```ts
 * const anchors = certificatesOf(await readInputFile('root.p7b'), '--trust', 'root.p7b');
 * ```
 */
export function certificatesOf(bytes: Uint8Array, flag: string, file: string): Uint8Array[] {
  try {
    const ders = decodeCertificates(bytes);
    if (ders.length === 0) throw new Error('no certificate');
    for (const der of ders) new X509Certificate(der);
    return ders;
  } catch (err) {
    // @thgov/pki's messages name what the file holds instead (a private key, a CSR) and never quote it;
    // node:crypto's are left out.
    const why = isPkiError(err) ? `: ${err.message}` : '';
    throw new UsageError(
      `${flag} ${file} is not a certificate (expected X.509 in PEM or DER, or a PKCS#7 bundle)${why}`,
    );
  }
}
