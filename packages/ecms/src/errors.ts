import { ThGovError, type ThGovErrorOptions } from '@thgov/core';

/** Every error code @thgov/ecms can raise (part of the semver contract). */
export const ECMS_ERROR_CODES = {
  ERR_ECMS_FAULT: 'The e-CMS node answered with an ErrorDetail or a SOAP fault; `nodeCode` holds its code.',
  ERR_ECMS_XML: 'An XML document is malformed or is not the e-CMS message that was expected.',
  ERR_ECMS_XML_HOSTILE:
    'An XML document was refused as hostile: DOCTYPE or entity declaration, or a size, depth, element-count or attribute limit passed.',
  ERR_ECMS_MESSAGE: 'A letter or notifier is invalid: a required field is missing or a value is malformed.',
  ERR_ECMS_BASE64: 'A binary object is not valid base64.',
  ERR_ECMS_MIME: 'A binary object has a MIME type that is not allowed.',
  ERR_ECMS_SECRECY:
    'The secrecy level is not allowed on the electronic channel (top secret) unless explicitly enabled.',
  ERR_ECMS_CODE: 'A speed or secrecy code is not in the node’s code list.',
  ERR_ECMS_SIGNATURE: 'A letter signature is missing, malformed or does not verify.',
  ERR_ECMS_UNTRUSTED_SIGNER:
    'A letter signature verifies but its certificate does not chain to a trust anchor.',
  ERR_ECMS_STATE: 'A letter state transition is not allowed from the letter’s current state.',
  ERR_ECMS_NOT_FOUND: 'The letter is not in the journal.',
  ERR_ECMS_STORE: 'The letter store failed.',
  ERR_ECMS_LEASE_LOST:
    'A worker lost its lease on a letter (it expired and another worker claimed it with a newer fencing token): its change was refused.',
  ERR_ECMS_DUPLICATE:
    'The queue item was already recorded under its ProcessID (another worker persisted it first); nothing was written.',
} as const;

export type EcmsErrorCode = keyof typeof ECMS_ERROR_CODES;

export interface EcmsFaultOptions extends ThGovErrorOptions {
  nodeCode: string;
  nodeDescription?: string;
  operation?: string;
  statusCode?: number;
}

/** An `ErrorDetail` (or SOAP fault) answered by an e-CMS node: `nodeCode` is the node's own code. */
export class EcmsFaultError extends ThGovError {
  readonly nodeCode: string;
  readonly nodeDescription: string | undefined;
  readonly operation: string | undefined;
  readonly statusCode: number | undefined;
  constructor(options: EcmsFaultOptions) {
    super(
      'ERR_ECMS_FAULT',
      `e-CMS node fault ${options.nodeCode}${options.nodeDescription ? `: ${options.nodeDescription}` : ''}${
        options.operation ? ` (${options.operation})` : ''
      }`,
      options,
    );
    this.name = 'EcmsFaultError';
    this.nodeCode = options.nodeCode;
    this.nodeDescription = options.nodeDescription;
    this.operation = options.operation;
    this.statusCode = options.statusCode;
  }
}

/** Shorthand for the package's own typed errors. */
export function ecmsError(code: EcmsErrorCode, message: string, options: ThGovErrorOptions = {}): ThGovError {
  return new ThGovError(code, message, options);
}
