/**
 * What a verification allows beyond the cryptography: which changes may follow a signature, whether revocation
 * evidence is mandatory, and how signals that are suspicious but not proof (JavaScript, shadow-attack material,
 * a signature time-stamp that does not verify) are weighed. The generic policy is {@link PDF_POLICY}; profiles
 * built on this package (the transcript policy of `@thgov/transcript`) set their own.
 */
export interface VerificationPolicy {
  /** Reported as `report.policy`. */
  readonly name: string;
  /**
   * Which incremental updates may follow a signature: `docmdp` — what the certification level permits
   * (P=1 none, P=2 form filling and signing, P=3 or no certification: annotations too); `security-updates` —
   * only `/DSS`, VRI and document time-stamps, and appended objects nothing refers to fail.
   */
  readonly afterSigning: 'docmdp' | 'security-updates';
  /** Without a revocation status for every certificate of the signer's path the result is INDETERMINATE/TRY_LATER. */
  readonly requireRevocation: boolean;
  /**
   * JavaScript in the document, and the actions weighed with it (/Launch, /SubmitForm, /ImportData), wherever a
   * viewer would run them (never executed here): a warning, or INDETERMINATE/SIG_CONSTRAINTS_FAILURE.
   */
  readonly javaScript: 'warn' | 'refuse';
  /** Shadow-attack material in the signed revision: warnings, or INDETERMINATE/SIG_CONSTRAINTS_FAILURE. */
  readonly shadowSignals: 'warn' | 'refuse';
  /** A signature time-stamp that does not verify: a warning (the time stays a claim), or INDETERMINATE/NO_POE. */
  readonly invalidSignatureTimeStamp: 'warn' | 'refuse';
  /**
   * An incremental update that only replaces the catalog's XMP `/Metadata` stream after a signature (Acrobat and
   * iText rewrite it on save): `allow` — an LTA-level update, as pyHanko's MetadataUpdateRule has it, allowed
   * under every certification level and under `security-updates`, and named in a warning of the `modifications`
   * check (its values are not covered by the signature); `refuse` — a change of level OTHER, which fails the
   * signature. Only a plain, well-formed XMP stream (no filter, DOCTYPE or entity, at most 1 MiB) replacing
   * another, with nothing else changed for it, qualifies. Default `refuse` (what a policy written before this
   * option existed gets); {@link PDF_POLICY} allows it, the transcript policy refuses it.
   */
  readonly metadataUpdates?: 'allow' | 'refuse';
}

/**
 * The generic policy for any signed PDF (official letters, certificates, forms): changes after a signature as its
 * DocMDP level permits (and an XMP metadata rewrite, as pyHanko allows it), revocation used when at hand,
 * suspicious material reported as warnings.
 */
export const PDF_POLICY: VerificationPolicy = Object.freeze({
  name: 'pdf',
  afterSigning: 'docmdp',
  requireRevocation: false,
  javaScript: 'warn',
  shadowSignals: 'warn',
  invalidSignatureTimeStamp: 'warn',
  metadataUpdates: 'allow',
});
