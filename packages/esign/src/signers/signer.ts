/**
 * The one contract every key store implements, so that a new key store (a smart card, an HSM, a remote
 * signing service) is one file: a certificate chain and a function that signs a digest.
 */

/** Digest algorithms a signature may be computed over. */
export type DigestAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Signature schemes applied to a digest. ECDSA signatures are returned DER-encoded (as CMS carries them). */
export type SignatureScheme = 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'ECDSA';

/** What the signer is asked to do: a scheme over a digest algorithm (RSA-PSS uses MGF1 with the same digest and a salt as long as the digest). */
export interface SignatureAlgorithm {
  scheme: SignatureScheme;
  digest: DigestAlgorithm;
}

/** Extra context for one signing call. Remote signers need only the digest; local keys may sign `toBeSigned` itself. */
export interface SignContext {
  /**
   * The bytes whose digest is being signed (for CMS: the DER of the signed attributes). Given by thgov's
   * signing code so local key stores whose API cannot sign a precomputed digest can sign the bytes instead;
   * such a signer must check that the digest of these bytes equals `digest`.
   */
  toBeSigned?: Uint8Array;
  abortSignal?: AbortSignal;
}

/**
 * A signing key with its certificate chain.
 *
 * @example
 * ```ts
 * const signer: Signer = {
 *   certificateChain: [signerCertDer, caCertDer],
 *   schemes: ['ECDSA'],
 *   async sign(digest, algorithm) {
 *     return myHsm.sign(digest, algorithm); // DER-encoded ECDSA signature
 *   },
 * };
 * ```
 */
export interface Signer {
  /** The signer's certificate first, then its issuers (DER). */
  readonly certificateChain: readonly Uint8Array[];
  /** Schemes this key can produce, preferred first. Default when absent: from the certificate's key type. */
  readonly schemes?: readonly SignatureScheme[];
  /**
   * Digests this key store signs over with its first scheme, preferred first (a remote signing service may offer
   * only some). Default when absent: any. `signPdf` signs over the first of them unless told otherwise, and
   * refuses a `digestAlgorithm` not among them before anything is signed.
   */
  readonly digests?: readonly DigestAlgorithm[];
  /** Signs `digest` (already computed with `algorithm.digest`); returns the raw signature value. */
  sign(digest: Uint8Array, algorithm: SignatureAlgorithm, context?: SignContext): Promise<Uint8Array>;
  /**
   * Signs several digests under one authorisation (remote signing services authorise a batch at once).
   * Optional: callers fall back to `sign` per digest.
   */
  signMany?(
    digests: readonly Uint8Array[],
    algorithm: SignatureAlgorithm,
    context?: Omit<SignContext, 'toBeSigned'> & { toBeSigned?: readonly Uint8Array[] },
  ): Promise<Uint8Array[]>;
  /** Releases sessions or connections held by the key store. */
  close?(): Promise<void>;
}

/** A signer that holds a session or connections to a key store: call `close()` when done. */
export type KeyStoreSigner = Signer & { close(): Promise<void> };
