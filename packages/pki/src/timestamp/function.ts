/** Digest algorithms a time-stamp imprint may use. */
export type DigestName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Returns an RFC 3161 TimeStampToken (a CMS ContentInfo, DER) over `imprint`: a TSA client or a test TSA. */
export type TimeStampFunction = (request: {
  imprint: Uint8Array;
  hashAlgorithm: DigestName;
}) => Promise<Uint8Array>;
