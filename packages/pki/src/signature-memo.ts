import { createHash, type KeyObject } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { signatureScheme } from './algorithms.js';
import { verifySignatureValue } from './signature.js';

/**
 * Outcomes of the signature checks on certificates, CRLs and OCSP responses, shared by every validation in the
 * process. A verifier meets the same CA and TSA certificates and the same CRLs in file after file, and one file
 * validates them more than once (the signer's path, the time-stamp's at two times). An outcome is a fact about
 * its inputs alone (the signed bytes, the signature value, the scheme and the key), so it is found again by a
 * SHA-256 of the exact bytes of all of them and holds at any time: validity periods, revocation, key usage and
 * the algorithm policy are judged by each validation anew and are never kept here. Bounded; the least recently
 * used outcome goes first.
 */
const OUTCOMES = new Map<string, boolean>();
const MAX_OUTCOMES = 4096;

/** SHA-256 of each key's SubjectPublicKeyInfo, once per KeyObject (keys are kept per parsed certificate). */
const KEY_IDS = new WeakMap<KeyObject, string>();

function keyId(key: KeyObject): string | undefined {
  let id = KEY_IDS.get(key);
  if (id === undefined) {
    try {
      id = createHash('sha256')
        .update(key.export({ type: 'spki', format: 'der' }))
        .digest('base64');
    } catch {
      return undefined;
    }
    KEY_IDS.set(key, id);
  }
  return id;
}

/** `verifySignatureValue` over one buffer, its outcome remembered for the exact same inputs. */
export function verifySignatureValueOnce(
  data: Uint8Array,
  signature: Uint8Array,
  alg: pkijs.AlgorithmIdentifier,
  key: KeyObject,
): boolean {
  const scheme = signatureScheme(alg);
  const owner = keyId(key);
  if (!scheme || owner === undefined) return verifySignatureValue(data, signature, alg, key);
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(data.length, 0);
  lengths.writeUInt32BE(signature.length, 4);
  const bytes = createHash('sha256').update(lengths).update(data).update(signature).digest('base64');
  const id = `${owner} ${scheme.family} ${scheme.hash ?? ''} ${scheme.saltLength ?? ''} ${bytes}`;
  const known = OUTCOMES.get(id);
  if (known !== undefined) {
    // Refresh its place: the map's order is the eviction order.
    OUTCOMES.delete(id);
    OUTCOMES.set(id, known);
    return known;
  }
  const ok = verifySignatureValue(data, signature, alg, key);
  OUTCOMES.set(id, ok);
  if (OUTCOMES.size > MAX_OUTCOMES) OUTCOMES.delete(OUTCOMES.keys().next().value as string);
  return ok;
}
