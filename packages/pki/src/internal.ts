// @thgov/pki/internal: pkijs-level helpers shared with sibling thgov packages (CMS in PDF, signing). Not part of
// the semver contract: applications use the root entry.

export { dnToString, summarizeCert } from './certificate/describe.js';
export { basicConstraints, extKeyUsage, keyUsage } from './certificate/extensions.js';
export { type Cert, certDer, certFromDer, fromPkijs } from './certificate/parse.js';
export { isZuluTime } from './certificate/times.js';
export { KEY_USAGE_NAMES } from './certificate/types.js';
export { essNames, essSigningCertificateV2 } from './cms/ess.js';
export { signedDataFromDer, signedDataFromSchema, withParsedToken } from './cms/signed-data.js';
export { findAllBySid, findBySid, selectSigner, verifySignerInfoSignature } from './cms/signer-info.js';
export { readBer } from './der.js';
export { cryptoEngine, DIGEST_BY_OID, digest, OID, OID_BY_DIGEST, toArrayBuffer } from './engine.js';
export { revocationSchema } from './path/options.js';
export { toCrls } from './revocation/crl.js';
export { toOcspResponses } from './revocation/ocsp.js';
export { onlineOptionsSchema } from './revocation/online.js';
export { type ReceivedToken, receivedTokenProblem } from './timestamp/token.js';
export {
  C14N_11_URIS,
  isXmlC14nError,
  joinUriReferences,
  removeDotSegments11,
  XmlC14nError,
} from './xml-c14n11.js';
export {
  registerXmlDsigAlgorithms,
  XMLDSIG_ALGORITHMS,
  type XmlDsigAlgorithmTables,
  xmlDsigSignerIndex,
} from './xmldsig.js';
