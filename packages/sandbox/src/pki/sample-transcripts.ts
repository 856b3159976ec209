import type { SandboxPerson } from '../people.js';
import type { SandboxPki } from './sandbox-pki.js';

/** Three transcripts to try a verifier on, and the files that verifier needs (all bytes; nothing written). */
export interface SampleTranscripts {
  /** Issued by the sandbox university: `TOTAL_PASSED` against `rootPem`. */
  good: Uint8Array;
  /** `good` with one byte of the signed part changed: `TOTAL_FAILED` / `HASH_FAILURE`. */
  tampered: Uint8Array;
  /** Signed by a registrar certificate revoked before signing: `TOTAL_FAILED` / `REVOKED`. */
  revoked: Uint8Array;
  /** The trust anchor: the sandbox root CA (PEM). */
  rootPem: string;
  /** DER CRLs of the issuing CA (it lists the revoked registrar) and of the root, current at creation. */
  crls: { ca: Uint8Array; root: Uint8Array };
}

/** The common name of the registrar that signs the `revoked` sample. */
export const REVOKED_SAMPLE_SIGNER = 'Sandbox University Registrar (revoked sample)';

/**
 * Flips one byte inside the first stream's data: the sample is a changed document, not a broken file, so the
 * PDF still parses and it is the signature check that fails.
 */
function tamper(pdf: Uint8Array): Uint8Array {
  const out = Uint8Array.from(pdf);
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const stream = text.indexOf('stream\n');
  const at = stream === -1 ? Math.min(100, out.length - 1) : stream + 'stream\n'.length + 4;
  out[at] = (out[at] ?? 0) ^ 0x01;
  return out;
}

/**
 * Sample transcripts signed under the sandbox root, so someone who installed only the npm packages can try
 * `thgov transcript verify` (or `verifyTranscript`) on a pass, a tampered file and a revoked signer. Each
 * sample embeds its revocation data and a time-stamp, so it verifies offline, also after the sandbox stopped.
 * The revoked registrar is a certificate of its own: the university's signer stays good.
 *
 * @example
 * ```ts
 * const sb = await startSandbox();
 * const samples = await createSampleTranscripts(sb.pki, sb.population.people[0]!);
 * const report = await verifyTranscript(samples.revoked, { trust: samples.rootPem });
 * // report.indication === 'TOTAL_FAILED', report.subIndication === 'REVOKED'
 * ```
 */
export async function createSampleTranscripts(
  pki: SandboxPki,
  person: SandboxPerson,
): Promise<SampleTranscripts> {
  const good = await pki.issueSandboxTranscript(person);
  const registrar = await pki.createSigner(REVOKED_SAMPLE_SIGNER);
  // Revoked a minute before it signs: the embedded CRL proves the revocation predates the signature.
  pki.revoke(registrar.serialNumber, new Date(Date.now() - 60_000));
  const revoked = await pki.issueSandboxTranscript(person, { signer: registrar });
  return { good, tampered: tamper(good), revoked, rootPem: pki.rootPem, crls: await pki.crls() };
}
