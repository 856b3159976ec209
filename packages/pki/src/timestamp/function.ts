/** Digest algorithms a time-stamp imprint may use. */
export type DigestName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Returns an RFC 3161 TimeStampToken (a CMS ContentInfo, DER) over `imprint`: a TSA client or a test TSA. */
export type TimeStampFunction = (request: {
  imprint: Uint8Array;
  hashAlgorithm: DigestName;
  /**
   * The request's nonce (the value bytes of a positive DER INTEGER), when the caller sent one: a TSA puts it in
   * the token's TSTInfo unchanged (RFC 3161 §2.4.2), so the caller can tell the answer to its own request from a
   * replayed or mixed-up token. A function that cannot pass it on may leave it out of the token.
   */
  nonce?: Uint8Array;
}) => Promise<Uint8Array>;
