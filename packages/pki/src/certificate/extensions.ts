import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { readBer } from '../der.js';
import { OID } from '../engine.js';
import { KEY_USAGE_NAMES, type KeyUsageName } from './types.js';

export function extension(c: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return c.extensions?.find((e) => e.extnID === oid);
}

function inner(e: pkijs.Extension): asn1js.AsnType {
  const asn = readBer(e.extnValue.valueBlock.valueHexView);
  if (asn.offset === -1) throw new Error('malformed extension');
  return asn.result;
}

/**
 * `read`, remembered per extension object: a certificate is parsed once per process (`certFromDer`), and a path
 * check or a signature check reads the same few extensions of the same CA certificates every time. A reading
 * is used again only while the extension still holds the bytes and criticality it was read from (compared on
 * every call), and every caller gets its own copy of it.
 */
function remembered<T>(read: (e: pkijs.Extension) => T, copy: (value: T) => T): (e: pkijs.Extension) => T {
  const readings = new WeakMap<pkijs.Extension, { bytes: Buffer; critical: boolean; value: T }>();
  return (e) => {
    const bytes = e.extnValue.valueBlock.valueHexView;
    const hit = readings.get(e);
    if (hit && hit.critical === e.critical && hit.bytes.equals(bytes)) return copy(hit.value);
    const value = read(e);
    readings.set(e, { bytes: Buffer.from(bytes), critical: e.critical, value });
    return copy(value);
  };
}

const copyBytes = (b: Buffer | undefined) => (b ? Buffer.from(b) : undefined);

/**
 * Key usage bits as names; undefined when the extension is absent. A malformed extension yields an empty set,
 * so that it allows nothing rather than everything.
 */
export function keyUsage(c: pkijs.Certificate): Set<KeyUsageName> | undefined {
  const e = extension(c, OID.keyUsage);
  return e ? readKeyUsage(e) : undefined;
}

const readKeyUsage = remembered(
  (e) => {
    const out = new Set<KeyUsageName>();
    try {
      const bytes = (inner(e) as asn1js.BitString).valueBlock.valueHexView;
      KEY_USAGE_NAMES.forEach((n, i) => {
        if (((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) out.add(n);
      });
    } catch {
      // see above: malformed means no usage at all
    }
    return out;
  },
  (set) => new Set(set),
);

/** Extended key usage OIDs; undefined when absent, an empty list when malformed. */
export function extKeyUsage(c: pkijs.Certificate): { oids: string[]; critical: boolean } | undefined {
  const e = extension(c, OID.extKeyUsage);
  return e ? readExtKeyUsage(e) : undefined;
}

const readExtKeyUsage = remembered(
  (e) => {
    try {
      return { oids: new pkijs.ExtKeyUsage({ schema: inner(e) }).keyPurposes, critical: e.critical };
    } catch {
      return { oids: [], critical: e.critical };
    }
  },
  (v) => ({ oids: [...v.oids], critical: v.critical }),
);

/** basicConstraints; `malformed` when the extension cannot be read (treated as "not a CA"). */
export function basicConstraints(
  c: pkijs.Certificate,
): { ca: boolean; pathLength?: number; malformed?: true } | undefined {
  const e = extension(c, OID.basicConstraints);
  return e ? readBasicConstraints(e) : undefined;
}

const readBasicConstraints = remembered(
  (e): { ca: boolean; pathLength?: number; malformed?: true } => {
    try {
      const bc = new pkijs.BasicConstraints({ schema: inner(e) });
      const len = bc.pathLenConstraint;
      const pathLength =
        typeof len === 'number' ? len : len instanceof asn1js.Integer ? Number.MAX_SAFE_INTEGER : undefined;
      return { ca: bc.cA === true, ...(pathLength !== undefined ? { pathLength } : {}) };
    } catch {
      return { ca: false, malformed: true };
    }
  },
  (v) => ({ ...v }),
);

/** id-pkix-ocsp-nocheck present (RFC 6960 §4.2.2.2.1). */
export function hasOcspNoCheck(c: pkijs.Certificate): boolean {
  return extension(c, OID.ocspNoCheck) !== undefined;
}

/** GeneralNames of the subjectAltName extension (empty when absent); throws when malformed. */
export function subjectAltNames(c: pkijs.Certificate): pkijs.GeneralName[] {
  const e = extension(c, OID.subjectAltName);
  if (!e) return [];
  return new pkijs.AltName({ schema: inner(e) }).altNames;
}

/** The nameConstraints extension, or undefined; throws when malformed. */
export function nameConstraints(c: pkijs.Certificate): pkijs.NameConstraints | undefined {
  const e = extension(c, OID.nameConstraints);
  if (!e) return undefined;
  return new pkijs.NameConstraints({ schema: inner(e) });
}

/** Subject key identifier bytes, or undefined. */
export function subjectKeyId(c: pkijs.Certificate): Buffer | undefined {
  const e = extension(c, OID.subjectKeyIdentifier);
  return e ? readSubjectKeyId(e) : undefined;
}

const readSubjectKeyId = remembered((e) => {
  try {
    return Buffer.from((inner(e) as asn1js.OctetString).valueBlock.valueHexView);
  } catch {
    return undefined;
  }
}, copyBytes);

/** The authority key identifier's keyIdentifier, or undefined. */
export function authorityKeyId(c: pkijs.Certificate): Buffer | undefined {
  const e = extension(c, OID.authorityKeyIdentifier);
  return e ? readAuthorityKeyId(e) : undefined;
}

const readAuthorityKeyId = remembered((e) => {
  try {
    const aki = new pkijs.AuthorityKeyIdentifier({ schema: inner(e) });
    return aki.keyIdentifier ? Buffer.from(aki.keyIdentifier.valueBlock.valueHexView) : undefined;
  } catch {
    return undefined;
  }
}, copyBytes);

/** HTTP(S) URLs of an authorityInfoAccess method (at most `max`); a malformed extension yields none. */
function accessUrls(c: pkijs.Certificate, method: string, max: number): string[] {
  const out: string[] = [];
  try {
    const aia = extension(c, OID.authorityInfoAccess);
    if (!aia) return out;
    for (const d of new pkijs.InfoAccess({ schema: inner(aia) }).accessDescriptions) {
      const v = d.accessLocation.value;
      if (
        d.accessMethod === method &&
        d.accessLocation.type === 6 &&
        typeof v === 'string' &&
        /^https?:\/\//i.test(v)
      )
        out.push(v);
    }
  } catch {
    // A malformed extension simply yields no URL.
  }
  return out.slice(0, max);
}

/** HTTP(S) URLs where the issuer's certificate is published (AIA caIssuers, RFC 5280 §4.2.2.1), at most `max`. */
export function caIssuersUrls(c: pkijs.Certificate, max = 2): string[] {
  return accessUrls(c, OID.accessCaIssuers, max);
}

/** HTTP(S) URLs of the AIA OCSP responders and CRL distribution points (at most `max` of each). */
export function revocationUrls(c: pkijs.Certificate, max = 4): { ocsp: string[]; crl: string[] } {
  return { ocsp: accessUrls(c, OID.accessOcsp, max), crl: distributionPointUrls(c).slice(0, max) };
}

/** Full-name HTTP(S) URIs of the CRL distribution points: where a CRL can be fetched (not its scope). */
export function distributionPointUrls(c: pkijs.Certificate): string[] {
  const out: string[] = [];
  try {
    const cdp = extension(c, OID.crlDistributionPoints);
    if (!cdp) return out;
    const dps = new pkijs.CRLDistributionPoints({ schema: inner(cdp) });
    for (const dp of dps.distributionPoints) {
      if (!Array.isArray(dp.distributionPoint)) continue;
      for (const g of dp.distributionPoint) {
        if (g.type === 6 && typeof g.value === 'string' && /^https?:\/\//i.test(g.value)) out.push(g.value);
      }
    }
  } catch {
    // as above
  }
  return out;
}

/**
 * Every full name of every CRL distribution point, of any form (ldap and other URIs, directoryNames…), to decide
 * whether a partitioned CRL covers the certificate. A distribution point named relative to the CRL issuer, or an
 * unreadable extension, gives no name: such a certificate is matched to no partition.
 */
export function distributionPointNames(c: pkijs.Certificate): pkijs.GeneralName[] {
  const names: pkijs.GeneralName[] = [];
  try {
    const cdp = extension(c, OID.crlDistributionPoints);
    if (!cdp) return names;
    for (const dp of new pkijs.CRLDistributionPoints({ schema: inner(cdp) }).distributionPoints)
      if (Array.isArray(dp.distributionPoint)) names.push(...dp.distributionPoint);
    return names;
  } catch {
    return [];
  }
}

/**
 * The directory names of the cRLIssuer fields of the certificate's CRL distribution points (RFC 5280 §4.2.1.13): the
 * CRL issuers, other than its CA, whose indirect CRLs speak for it. None when the extension is absent or unreadable.
 */
export function crlIssuerNames(c: pkijs.Certificate): pkijs.RelativeDistinguishedNames[] {
  try {
    const cdp = extension(c, OID.crlDistributionPoints);
    if (!cdp) return [];
    return new pkijs.CRLDistributionPoints({ schema: inner(cdp) }).distributionPoints.flatMap((dp) =>
      (dp.cRLIssuer ?? []).flatMap((g) =>
        g.type === 4 && g.value instanceof pkijs.RelativeDistinguishedNames ? [g.value] : [],
      ),
    );
  } catch {
    return [];
  }
}

/** Extensions a path validator must understand when critical (RFC 5280 §6.1.4 (o)). */
export const KNOWN_CERTIFICATE_EXTENSIONS = new Set<string>([
  OID.keyUsage,
  OID.extKeyUsage,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
  OID.ocspNoCheck,
  // Processed by path/policies.ts (RFC 5280 §6.1, initial policy set {anyPolicy}).
  OID.certificatePolicies,
  OID.policyConstraints,
  OID.policyMappings,
  OID.inhibitAnyPolicy,
]);

/**
 * How each extension a path may otherwise pass over when it cannot be read is read in full (a pkijs schema, or the
 * one ASN.1 type it is): an unreadable subjectAltName gives no name, an unreadable distribution point no URL.
 * keyUsage is not here (unreadable, it allows nothing) nor are the policy extensions (refused by path/policies.ts).
 */
const FULL_READERS: Readonly<Record<string, (value: asn1js.AsnType) => unknown>> = {
  [OID.extKeyUsage]: (schema) => new pkijs.ExtKeyUsage({ schema }),
  [OID.basicConstraints]: (schema) => new pkijs.BasicConstraints({ schema }),
  [OID.nameConstraints]: (schema) => new pkijs.NameConstraints({ schema }),
  [OID.subjectAltName]: (schema) => new pkijs.AltName({ schema }),
  [OID.subjectKeyIdentifier]: (value) => value instanceof asn1js.OctetString || fail(),
  [OID.authorityKeyIdentifier]: (schema) => new pkijs.AuthorityKeyIdentifier({ schema }),
  [OID.crlDistributionPoints]: (schema) => new pkijs.CRLDistributionPoints({ schema }),
  [OID.authorityInfoAccess]: (schema) => new pkijs.InfoAccess({ schema }),
  [OID.ocspNoCheck]: (value) => value instanceof asn1js.Null || fail(),
};

const fail = (): never => {
  throw new Error('not of its type');
};

/** Whether an extension's value is one readable DER value of the form its OID calls for (path searches ask often). */
const readsInFull = remembered(
  (e) => {
    const bytes = e.extnValue.valueBlock.valueHexView;
    const asn = readBer(bytes);
    if (asn.offset !== bytes.byteLength) return false;
    try {
      FULL_READERS[e.extnID]?.(asn.result);
      return true;
    } catch {
      return false;
    }
  },
  (ok: boolean) => ok,
);

/**
 * OIDs of critical extensions this package knows but cannot read in this certificate: RFC 5280 §4.2 wants the
 * certificate rejected ("a critical extension that contains information that it cannot process"), where the
 * readers above would take an unreadable one as absent.
 */
export function unreadableCriticalExtensions(c: pkijs.Certificate): string[] {
  return (c.extensions ?? [])
    .filter((e) => e.critical && e.extnID in FULL_READERS && !readsInFull(e))
    .map((e) => e.extnID);
}

/** OIDs of critical extensions this package does not process. */
export function unknownCriticalExtensions(c: pkijs.Certificate): string[] {
  return (c.extensions ?? [])
    .filter((e) => e.critical && !KNOWN_CERTIFICATE_EXTENSIONS.has(e.extnID))
    .map((e) => e.extnID);
}

/**
 * OIDs of extensions the certificate lists more than once (RFC 5280 §4.2 forbids it): which instance counts is
 * anyone's guess, and a check of the first (a subjectAltName under name constraints) says nothing of the others.
 */
export function duplicateExtensions(c: pkijs.Certificate): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const e of c.extensions ?? []) (seen.has(e.extnID) ? twice : seen).add(e.extnID);
  return [...twice];
}
