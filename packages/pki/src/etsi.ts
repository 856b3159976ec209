/**
 * ETSI EN 319 102-1 sub-indications (the vocabulary EU DSS reports in). `@thgov/pki` produces the path- and
 * time-stamp-related ones; signature formats (PDF, XML) add the rest.
 */
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'CERTIFICATE_CHAIN_GENERAL_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'REVOKED_NO_POE'
  | 'REVOKED_CA_NO_POE'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'NO_POE'
  | 'TRY_LATER'
  | 'TIMESTAMP_ORDER_FAILURE'
  | 'SIGNED_DATA_NOT_FOUND'
  | 'POLICY_PROCESSING_ERROR';

/** The result of a validation building block (EN 319 102-1 §5.2): PASSED, or why not. */
export type BlockIndication = 'PASSED' | 'INDETERMINATE' | 'FAILED';
