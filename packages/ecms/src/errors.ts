import { isThGovError, ThGovError, type ThGovErrorOptions } from '@thgov/core';

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
} as const;

export type EcmsErrorCode = keyof typeof ECMS_ERROR_CODES;

export interface EcmsFaultOptions extends ThGovErrorOptions {
  nodeCode: string;
  nodeDescription?: string;
  operation?: string;
  statusCode?: number;
}

/**
 * A typed failure of the e-CMS package: `code` is one of {@link EcmsErrorCode}. Messages never carry letter
 * content.
 *
 * @example
 * ```ts
 * try {
 *   verifyLetterSignature(xml, { policy: 'require', trustAnchors });
 * } catch (err) {
 *   if (err instanceof EcmsError && err.code === 'ERR_ECMS_UNTRUSTED_SIGNER') quarantine(xml);
 * }
 * ```
 */
export class EcmsError<C extends EcmsErrorCode = EcmsErrorCode> extends ThGovError<C> {
  constructor(code: C, message: string, options: ThGovErrorOptions = {}) {
    super(code, message, options);
    this.name = 'EcmsError';
  }
}

/** An `ErrorDetail` (or SOAP fault) answered by an e-CMS node: `nodeCode` is the node's own code. */
export class EcmsFaultError extends EcmsError<'ERR_ECMS_FAULT'> {
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
export function ecmsError<C extends EcmsErrorCode>(
  code: C,
  message: string,
  options: ThGovErrorOptions = {},
): EcmsError<C> {
  return new EcmsError(code, message, options);
}

const ECMS_ERROR_NAMES = new Set(['EcmsError', 'EcmsFaultError']);

/**
 * True for an {@link EcmsError} (or {@link EcmsFaultError}), also one from another installed copy of the
 * package (checked by the thgov brand and the name, not `instanceof`). With `code`, also checks the code and
 * narrows `err.code` to it; a code that is not an {@link EcmsErrorCode} fails to compile.
 *
 * @example
 * ```ts
 * if (isEcmsError(err, 'ERR_ECMS_UNTRUSTED_SIGNER')) await quarantine(letter);
 * ```
 */
export function isEcmsError<C extends EcmsErrorCode = EcmsErrorCode>(
  value: unknown,
  code?: C,
): value is EcmsError<C> {
  return isThGovError(value, code) && ECMS_ERROR_NAMES.has(value.name);
}
