import { createRequire } from 'node:module';
import type * as Xmldom from '@xmldom/xmldom';
import type * as XmlCrypto from 'xml-crypto';

// The DOM parser and XML-DSig (CommonJS packages, 23 files between them) are loaded when the first letter
// signature is made or checked, not when @thgov/ecms is imported: an unsigned exchange never needs them, and
// they took about 20 ms of a cold import.
const requireHere = createRequire(import.meta.url);
let xmldom: typeof Xmldom | undefined;
let xmlCrypto: typeof XmlCrypto | undefined;

/** @xmldom/xmldom, loaded at first use. */
export function loadXmldom(): typeof Xmldom {
  xmldom ??= requireHere('@xmldom/xmldom') as typeof Xmldom;
  return xmldom;
}

/** xml-crypto, loaded at first use. */
export function loadXmlCrypto(): typeof XmlCrypto {
  xmlCrypto ??= requireHere('xml-crypto') as typeof XmlCrypto;
  return xmlCrypto;
}
