import {
  certFromDer,
  DIGEST_BY_OID,
  digest,
  essNames,
  isZuluTime,
  OID,
  readBer,
  selectSigner,
  signedDataFromDer,
  signedDataFromSchema,
  toArrayBuffer,
  verifySignerInfoSignature,
  withParsedToken,
} from '@thgov/pki/internal';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type CheckResult, check, failed, indeterminate } from '../verify/report.js';
import { addCrl, addOcsp, type EvidencePool } from './evidence.js';

/** What step 7 learned from the CMS: its check, and what later steps need (signer, certificates, time-stamps). */
export interface CmsOutcome {
  check: CheckResult;
  /** Absent when neither the CMS nor /DSS carries the certificate its SignerInfo names (step 8 reports it). */
  signerCert?: pkijs.Certificate;
  /** Where the signer certificate was found: in the CMS, or (when the CMS leaves it out) in /DSS. */
  signerCertSource?: 'cms' | 'dss';
  certs: pkijs.Certificate[];
  digestAlgorithm?: string;
  claimedTime?: Date;
  signatureValue?: Uint8Array;
  timeStampTokens: Uint8Array[];
  /** Names of the signed attributes present (`signingTime`, `signingCertificateV2`, `adbeRevocationInfoArchival`). */
  signedAttributes: string[];
}

const WEAK_SIG_ALGS = new Set([
  '1.2.840.113549.1.1.5',
  '1.2.840.10040.4.3',
  '1.2.840.10045.4.1',
  '1.2.840.113549.1.1.4',
]);

const ATTRIBUTE_NAMES: Record<string, string> = {
  [OID.signingTime]: 'signingTime',
  [OID.signingCertificateV2]: 'signingCertificateV2',
  [OID.signingCertificate]: 'signingCertificate',
  [OID.adbeRevocationInfoArchival]: 'adbeRevocationInfoArchival',
};

function attrValue(si: pkijs.SignerInfo, oid: string, unsigned = false): asn1js.BaseBlock[] | undefined {
  const set = unsigned ? si.unsignedAttrs : si.signedAttrs;
  const matches = set?.attributes.filter((a) => a.type === oid) ?? [];
  if (matches.length === 0) return undefined;
  return matches.flatMap((a) => a.values as asn1js.BaseBlock[]);
}

/** The SignedData in `/Contents`, with the revocation values it carries added to `pool`; a string says why not. */
function parseSignedData(contents: Uint8Array, pool: EvidencePool): pkijs.SignedData | string {
  // The certificate set read as DER slices (cached), the rest by asn1js; on any unusual shape, the whole parse.
  const sd = signedDataFromDer(contents) ?? parseWholeSignedData(contents);
  if (typeof sd === 'string') return sd;
  for (const c of sd.crls ?? []) {
    if (c instanceof pkijs.CertificateRevocationList)
      addCrl(pool, new Uint8Array(c.toSchema().toBER(false)), 'cms');
    else if (c instanceof pkijs.OtherRevocationInfoFormat && c.otherRevInfoFormat === '1.3.6.1.5.5.7.16.2') {
      addOcsp(pool, new Uint8Array((c.otherRevInfo as asn1js.BaseBlock).toBER(false)), 'cms');
    }
  }
  return sd;
}

/** The SignedData in `/Contents` from asn1js's parse of the whole; a string says why not. */
function parseWholeSignedData(contents: Uint8Array): pkijs.SignedData | string {
  // readBer answers offset -1 where asn1js throws (a GeneralizedTime that is no time).
  const asn = readBer(toArrayBuffer(contents));
  if (asn.offset === -1) return '/Contents is not DER-encoded CMS';
  if (contents.subarray(asn.offset).some((b) => b !== 0))
    return 'Non-zero bytes after the CMS structure in /Contents';
  let sd: pkijs.SignedData;
  try {
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID.signedData) return 'CMS content is not SignedData';
    sd = signedDataFromSchema(ci.content);
  } catch {
    return 'CMS SignedData could not be parsed';
  }
  return sd;
}

/** What `signerInfoProblem` found usable: the SignerInfo, its digest, and whether it signs the bytes directly. */
interface SignerInfoFound {
  si: pkijs.SignerInfo;
  alg: string;
  /** No signed attributes: the signature is over the signed bytes themselves (RFC 5652 §5.4). */
  direct: boolean;
}

/**
 * One detached SignerInfo with an allowed digest, and either signed attributes (contentType id-data and a
 * messageDigest over the signed bytes) or, outside CAdES, none at all over id-data content: the signature is
 * then checked over the bytes themselves (`signerProblem`).
 */
async function signerInfoProblem(
  sd: pkijs.SignedData,
  signed: Uint8Array[],
  cades: boolean,
): Promise<CheckResult | SignerInfoFound> {
  if (sd.signerInfos.length !== 1)
    return failed('cms', 'FORMAT_FAILURE', `Expected one SignerInfo, found ${sd.signerInfos.length}`);
  if (sd.encapContentInfo.eContent)
    return failed('cms', 'FORMAT_FAILURE', 'The CMS is not detached (it carries content)');
  const si = sd.signerInfos[0]!;
  const alg = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  if (!alg) {
    const id = si.digestAlgorithm.algorithmId;
    return indeterminate('cms', 'CRYPTO_CONSTRAINTS_FAILURE', `Digest algorithm ${id} is not allowed`);
  }
  if (WEAK_SIG_ALGS.has(si.signatureAlgorithm.algorithmId))
    return indeterminate('cms', 'CRYPTO_CONSTRAINTS_FAILURE', 'Signature algorithm uses SHA-1 or MD5');
  if (!si.signedAttrs) {
    if (cades)
      return failed(
        'cms',
        'FORMAT_FAILURE',
        'A CAdES SignerInfo must have signed attributes; this one has none',
      );
    if (sd.encapContentInfo.eContentType !== OID.data)
      return failed('cms', 'FORMAT_FAILURE', 'Without signed attributes the content type must be id-data');
    return { si, alg, direct: true };
  }
  // The signed contentType must be id-data and equal the (unsigned) eContentType (RFC 5652 §11.1).
  const ct = attrValue(si, OID.contentType);
  const ctOid =
    ct?.length === 1 && ct[0] instanceof asn1js.ObjectIdentifier ? ct[0].valueBlock.toString() : '';
  if (ctOid !== OID.data)
    return failed('cms', 'FORMAT_FAILURE', 'contentType attribute missing or not id-data');
  if (sd.encapContentInfo.eContentType !== ctOid)
    return failed('cms', 'FORMAT_FAILURE', 'The contentType attribute differs from the eContentType');
  const md = attrValue(si, OID.messageDigest);
  if (md?.length !== 1 || !(md[0] instanceof asn1js.OctetString))
    return failed(
      'cms',
      'FORMAT_FAILURE',
      'messageDigest attribute missing, repeated or not an OCTET STRING',
    );
  const expected = await digest(alg, signed);
  const got = Buffer.from(md[0].valueBlock.valueHexView);
  if (!got.equals(Buffer.from(expected)))
    return failed('cms', 'HASH_FAILURE', 'messageDigest does not match the bytes covered by /ByteRange');
  return { si, alg, direct: false };
}

/** The signature value, the key length and the ESS binding, once the signer certificate is known. */
async function signerProblem(
  found: SignerInfoFound,
  signer: pkijs.Certificate,
  cades: boolean,
  signed: Uint8Array[],
): Promise<CheckResult | undefined> {
  const { si } = found;
  const verified = verifySignerInfoSignature(si, signer, found.direct ? signed : undefined);
  if (!verified.ok)
    return failed(
      'cms',
      'SIG_CRYPTO_FAILURE',
      (found.direct
        ? 'The signature value does not verify over the bytes covered by /ByteRange with the signer key'
        : 'The signature value does not verify with the signer key') +
        (verified.problem ? `: ${verified.problem}` : ''),
    );
  const pub = signer.subjectPublicKeyInfo.parsedKey;
  if (pub instanceof pkijs.RSAPublicKey) {
    const modulus = pub.modulus.valueBlock.valueHexView;
    const bits = (modulus.length - (modulus[0] === 0 ? 1 : 0)) * 8;
    if (bits < 2048)
      return indeterminate('cms', 'CRYPTO_CONSTRAINTS_FAILURE', `RSA key of ${bits} bits is too short`);
  }
  // ESS signing-certificate(-v2): mandatory for CAdES, checked whenever present, every one of them.
  const ess = essNames(si, signer);
  if (ess === false)
    return indeterminate(
      'cms',
      'NO_SIGNING_CERTIFICATE_FOUND',
      'ESS signing-certificate does not match the signer certificate',
    );
  if (ess === undefined && cades)
    return failed('cms', 'FORMAT_FAILURE', 'CAdES signature without ESS signing-certificate-v2');
  return undefined;
}

/**
 * Step 7 for a detached signature over `signed` (the two ByteRange parts): the CMS structure, its one SignerInfo,
 * digest, signature value and ESS binding. Revocation values found in the CMS are added to `pool`.
 */
export async function verifyCmsSignature(
  contents: Uint8Array,
  signed: Uint8Array[],
  options: { cades: boolean; pool: EvidencePool; dssCerts?: readonly Uint8Array[] },
): Promise<CmsOutcome> {
  const out: CmsOutcome = {
    check: failed('cms', 'FORMAT_FAILURE', 'not checked'),
    certs: [],
    timeStampTokens: [],
    signedAttributes: [],
  };
  const sd = parseSignedData(contents, options.pool);
  if (typeof sd === 'string') return { ...out, check: failed('cms', 'FORMAT_FAILURE', sd) };
  out.certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const info = await signerInfoProblem(sd, signed, options.cades);
  if (!('si' in info)) return { ...out, check: info };
  const { si, alg } = info;
  out.digestAlgorithm = alg;
  out.signedAttributes = (si.signedAttrs?.attributes ?? []).flatMap((a) => ATTRIBUTE_NAMES[a.type] ?? []);
  out.signatureValue = new Uint8Array(si.signature.valueBlock.valueHexView);
  // Of the certificates the SignerInfo designates, the ESS-named one whose key verifies: look-alikes in the
  // unsigned certificate set cannot hide the signer.
  const inCms = selectSigner(si, out.certs, info.direct ? signed : undefined);
  const signer = inCms ?? signerFromDss(info, options.dssCerts ?? [], signed);
  if (!signer) {
    out.check = info.direct
      ? indeterminate(
          'cms',
          'NO_SIGNING_CERTIFICATE_FOUND',
          'No signed attributes and no signer certificate: the signature cannot be checked',
        )
      : check(
          'cms',
          'PASSED',
          'Digest matches; signer certificate absent so the signature cannot be checked',
        );
    return out;
  }
  const problem = await signerProblem(info, signer, options.cades, signed);
  if (problem) return { ...out, check: problem };
  out.signerCert = signer;
  out.signerCertSource = inCms ? 'cms' : 'dss';
  out.check = passed(info, out, options);
  return out;
}

/**
 * The certificate the SignerInfo names, from /DSS, for a CMS that leaves it out (RFC 5652 makes `certificates`
 * optional; the certificate is then expected from elsewhere, as poppler and EU DSS look for it). Among
 * certificates with the same issuer and serial, the one the ESS attribute names and whose key verifies the
 * signature is taken (`selectSigner`), so a look-alike listed first cannot hide the real one; none verifying,
 * the first is returned and fails as such.
 */
function signerFromDss(
  found: SignerInfoFound,
  dss: readonly Uint8Array[],
  signed: Uint8Array[],
): pkijs.Certificate | undefined {
  const certs: pkijs.Certificate[] = [];
  for (const der of dss) {
    try {
      certs.push(certFromDer(der).pkijs);
    } catch {
      // An unreadable /DSS certificate names nobody.
    }
  }
  return selectSigner(found.si, certs, found.direct ? signed : undefined);
}

/** The PASSED check once the signature verifies; reads what later steps need from the attributes into `out`. */
function passed(
  { si, alg, direct }: SignerInfoFound,
  out: CmsOutcome,
  options: { cades: boolean; pool: EvidencePool },
): CheckResult {
  const warnings: string[] = [];
  const st = attrValue(si, OID.signingTime);
  // asn1js reads a UTCTime whose text is no time as 1899 and a local time by this process's zone: not a claim.
  if (st?.[0] && isZuluTime(st[0])) out.claimedTime = (st[0] as asn1js.UTCTime).toDate();
  else if (st?.[0])
    warnings.push(
      'The signingTime attribute is not a UTC time with seconds (RFC 5652 §11.3): no claimed time is read from it',
    );
  if (options.cades && st)
    warnings.push('CAdES signature carries a signingTime attribute (PAdES baseline forbids it)');
  if (direct)
    warnings.push(
      'The SignerInfo has no signed attributes: the signature covers the signed bytes directly, and no ESS attribute binds the signer certificate',
    );
  const archival = attrValue(si, OID.adbeRevocationInfoArchival);
  if (archival?.[0]) collectArchival(archival[0], options.pool);
  for (const t of attrValue(si, OID.signatureTimeStamp, true) ?? [])
    out.timeStampTokens.push(withParsedToken(bytesOf(t), t));
  const ess = Boolean(attrValue(si, OID.signingCertificateV2) || attrValue(si, OID.signingCertificate));
  const message = direct
    ? 'One detached SignerInfo without signed attributes; the signature verifies over the signed bytes'
    : 'One detached SignerInfo; digest and signature verify';
  return check('cms', 'PASSED', message, {
    warnings,
    evidence: {
      digestAlgorithm: alg,
      signatureAlgorithm: si.signatureAlgorithm.algorithmId,
      ess,
      signedAttributes: !direct,
    },
  });
}

/** A block's bytes as they are in the CMS (a copy), rather than asn1js's encoding of it again. */
function bytesOf(block: asn1js.BaseBlock): Uint8Array {
  const raw = block.valueBeforeDecodeView;
  return raw.byteLength > 0 ? Uint8Array.from(raw) : new Uint8Array(block.toBER(false));
}

function collectArchival(value: asn1js.BaseBlock, pool: EvidencePool): void {
  try {
    for (const tagged of (value as asn1js.Sequence).valueBlock.value) {
      const tag = tagged.idBlock.tagNumber;
      const inner = (tagged as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence | undefined;
      for (const item of inner?.valueBlock.value ?? []) {
        const der = bytesOf(item);
        if (tag === 0) addCrl(pool, der, 'adbe-revocation-info');
        else if (tag === 1) addOcsp(pool, der, 'adbe-revocation-info');
      }
    }
  } catch {
    // Malformed archival attribute: treated as no embedded revocation data.
  }
}
