import * as pkijs from 'pkijs';
import { certDer } from './certs.js';
import { cryptoEngine } from './engine.js';

export interface ChainResult {
  ok: boolean;
  /** Leaf first, anchor last. */
  path: pkijs.Certificate[];
  reason?: 'no-anchor' | 'no-path' | 'expired' | 'not-yet-valid' | 'constraints';
  message?: string;
}

function uniq(list: pkijs.Certificate[]): pkijs.Certificate[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = Buffer.from(certDer(c)).toString('base64');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Path building and validation to the configured anchors only (pkijs), at `checkDate`. Revocation is
 * checked separately so that its evidence can be reported.
 */
export async function buildChain(
  leaf: pkijs.Certificate,
  pool: pkijs.Certificate[],
  anchors: pkijs.Certificate[],
  checkDate: Date,
): Promise<ChainResult> {
  if (anchors.length === 0)
    return { ok: false, path: [leaf], reason: 'no-anchor', message: 'No trust anchors configured' };
  const leafDer = Buffer.from(certDer(leaf));
  const intermediates = uniq(pool).filter((c) => !Buffer.from(certDer(c)).equals(leafDer));
  const isAnchor = anchors.some((a) => Buffer.from(certDer(a)).equals(leafDer));
  if (isAnchor) {
    const inTime = leaf.notBefore.value <= checkDate && checkDate <= leaf.notAfter.value;
    return inTime
      ? { ok: true, path: [leaf] }
      : { ok: false, path: [leaf], reason: leaf.notAfter.value < checkDate ? 'expired' : 'not-yet-valid' };
  }
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: uniq(anchors),
    certs: [...intermediates, leaf],
    checkDate,
  });
  try {
    const res = await engine.verify({}, cryptoEngine());
    if (res.result) {
      const path = (res.certificatePath ?? [leaf]) as pkijs.Certificate[];
      return { ok: true, path };
    }
    return classify(leaf, checkDate, res.resultMessage);
  } catch (err) {
    return classify(
      leaf,
      checkDate,
      (err as { resultMessage?: string; message?: string }).resultMessage ?? (err as Error).message,
    );
  }
}

function classify(leaf: pkijs.Certificate, checkDate: Date, message: string | undefined): ChainResult {
  if (leaf.notAfter.value < checkDate)
    return { ok: false, path: [leaf], reason: 'expired', message: 'The signer certificate had expired' };
  if (leaf.notBefore.value > checkDate)
    return {
      ok: false,
      path: [leaf],
      reason: 'not-yet-valid',
      message: 'The signer certificate was not yet valid',
    };
  const m = message ?? 'No certificate path to a trust anchor';
  const reason = /expired|not yet valid/i.test(m)
    ? 'expired'
    : /CA certificate|constraint|key usage/i.test(m)
      ? 'constraints'
      : 'no-path';
  return { ok: false, path: [leaf], reason, message: m };
}
