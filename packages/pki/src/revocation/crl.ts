import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { dnToString } from '../certificate/describe.js';
import { distributionPointNames } from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import type { Cert } from '../certificate/parse.js';
import { OID } from '../engine.js';
import { PkiError } from '../errors.js';
import { decodeCertificates } from '../pem.js';
import { serialKey } from './serial.js';
import { REASONS, type RevocationReason, type RevocationSource } from './types.js';

/**
 * A parsed CRL. Reading it checks only its syntax; authenticity, scope and freshness are judged against the
 * certificate being validated (see `validateCertificatePath`).
 */
export interface ParsedCrl {
  readonly type: 'crl';
  readonly source: RevocationSource;
  readonly der: Uint8Array;
  /** SHA-256 of the DER, hex. */
  readonly sha256: string;
  /** The issuer's name as text. */
  readonly issuer: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** A delta CRL (deltaCRLIndicator): it lists changes only, so its silence proves nothing. */
  readonly delta: boolean;
  /** Number of revoked entries. */
  readonly entries: number;
}

export interface CrlEntry {
  revokedAt: Date;
  reason: RevocationReason | undefined;
}

/** What the validator needs beyond the public fields (kept off the public type). */
export interface CrlInternals {
  crl: pkijs.CertificateRevocationList;
  entries: Map<string, CrlEntry>;
  /** Critical CRL or entry extensions that are not understood, and indirect CRLs: not usable at all. */
  unsupported: string | undefined;
  onlyUser: boolean;
  onlyCa: boolean;
  onlyAttribute: boolean;
  partialReasons: boolean;
  /** The issuing distribution point names a distribution point: the CRL covers only that partition. */
  partitioned: boolean;
  /** Full names of the issuing distribution point (empty when named relative to the issuer: matches nothing). */
  dpNames: pkijs.GeneralName[];
}

const INTERNALS = new WeakMap<ParsedCrl, CrlInternals>();
/**
 * asn1js stops at 10 000 nodes by default (a DoS guard), about 2 500 CRL entries: national and commercial CAs
 * publish far larger CRLs. A million nodes is roughly 250 000 entries; larger CRLs are refused, not half-read.
 */
const MAX_CRL_NODES = 1_000_000;
const KNOWN_CRL_EXTENSIONS = new Set<string>([
  OID.crlNumber,
  OID.deltaCrlIndicator,
  OID.issuingDistributionPoint,
  OID.authorityKeyIdentifier,
  OID.freshestCrl,
  OID.authorityInfoAccess,
]);
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([OID.crlReason, OID.invalidityDate]);

export function crlInternals(c: ParsedCrl): CrlInternals {
  const i = INTERNALS.get(c);
  if (!i) throw new PkiError('ERR_PKI_INPUT', 'Not a CRL made by parseCrl');
  return i;
}

function reasonOf(entry: pkijs.RevokedCertificate): RevocationReason | undefined {
  const ext = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === OID.crlReason);
  if (!ext) return undefined;
  const v = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.Enumerated;
  return REASONS[v.valueBlock.valueDec] ?? 'unspecified';
}

function readScope(crl: pkijs.CertificateRevocationList, out: CrlInternals): void {
  for (const e of crl.crlExtensions?.extensions ?? []) {
    if (e.critical && !KNOWN_CRL_EXTENSIONS.has(e.extnID))
      out.unsupported = `critical CRL extension ${e.extnID}`;
    if (e.extnID !== OID.issuingDistributionPoint) continue;
    const idp = new pkijs.IssuingDistributionPoint({
      schema: asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result,
    });
    if (idp.indirectCRL) out.unsupported = 'indirect CRLs are not supported';
    out.onlyUser = idp.onlyContainsUserCerts;
    out.onlyCa = idp.onlyContainsCACerts;
    out.onlyAttribute = idp.onlyContainsAttributeCerts;
    out.partialReasons = idp.onlySomeReasons !== undefined;
    if (idp.distributionPoint !== undefined) out.partitioned = true;
    if (Array.isArray(idp.distributionPoint)) out.dpNames.push(...idp.distributionPoint);
  }
}

function readEntries(crl: pkijs.CertificateRevocationList, out: CrlInternals): void {
  for (const r of crl.revokedCertificates ?? []) {
    const critical = r.crlEntryExtensions?.extensions.find(
      (e) => e.critical && !KNOWN_ENTRY_EXTENSIONS.has(e.extnID),
    );
    // certificateIssuer (critical) only appears in indirect CRLs: refused above, and here by the same rule.
    if (critical) out.unsupported = `critical CRL entry extension ${critical.extnID}`;
    addEntry(out.entries, serialKey(r.userCertificate), {
      revokedAt: r.revocationDate.value,
      reason: reasonOf(r),
    });
  }
}

/**
 * One entry per serial, however often a CA lists it: a revocation is never undone by a removeFromCRL listed in
 * the same CRL, and of several revocations the earliest counts (RFC 5280 lists each certificate once).
 */
function addEntry(entries: Map<string, CrlEntry>, key: string, entry: CrlEntry): void {
  const known = entries.get(key);
  const removal = (e: CrlEntry) => e.reason === 'removeFromCRL';
  if (
    !known ||
    (removal(known) && !removal(entry)) ||
    (removal(known) === removal(entry) && entry.revokedAt.getTime() < known.revokedAt.getTime())
  )
    entries.set(key, entry);
}

/** What reading a CRL's bytes gives, whoever supplied them and wherever they came from. */
interface CrlReading {
  internals: CrlInternals;
  bytes: number;
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  delta: boolean;
}

/**
 * Recently read CRLs by SHA-256. A CRL is embedded in every file signed under its CA until its next update, and
 * a national CA's CRL takes far longer to read than the rest of a verification. Bounded in count and in bytes;
 * a reading is never changed once made, and each result gets its own copy of the DER and of the dates.
 */
const READINGS = new Map<string, CrlReading>();
const MAX_READINGS = 64;
const MAX_READING_BYTES = 64 * 1024 * 1024;
let readingBytes = 0;

function readCrl(der: Uint8Array): CrlReading {
  // Parsed from a private copy: pkijs keeps views into its input (the signed part), which the caller may reuse.
  const own = Uint8Array.from(der);
  const internals: CrlInternals = {
    crl: undefined as unknown as pkijs.CertificateRevocationList,
    entries: new Map(),
    unsupported: undefined,
    onlyUser: false,
    onlyCa: false,
    onlyAttribute: false,
    partialReasons: false,
    partitioned: false,
    dpNames: [],
  };
  let crl: pkijs.CertificateRevocationList;
  try {
    const asn = asn1js.fromBER(own, { maxNodes: MAX_CRL_NODES });
    if (asn.offset !== own.length) throw new Error('not exactly one DER structure');
    crl = new pkijs.CertificateRevocationList({ schema: asn.result });
    internals.crl = crl;
    readScope(crl, internals);
    readEntries(crl, internals);
  } catch (cause) {
    throw new PkiError('ERR_PKI_INPUT', 'A CRL is not a readable DER CertificateList', { cause });
  }
  return {
    internals,
    bytes: own.length,
    issuer: dnToString(crl.issuer),
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value,
    delta: (crl.crlExtensions?.extensions ?? []).some((e) => e.extnID === OID.deltaCrlIndicator),
  };
}

function reading(der: Uint8Array, sha256: string): CrlReading {
  const known = READINGS.get(sha256);
  if (known) {
    // Refresh its place: the map's order is the eviction order.
    READINGS.delete(sha256);
    READINGS.set(sha256, known);
    return known;
  }
  const read = readCrl(der);
  if (read.bytes > MAX_READING_BYTES / 4) return read;
  READINGS.set(sha256, read);
  readingBytes += read.bytes;
  for (const [key, old] of READINGS) {
    if (READINGS.size <= MAX_READINGS && readingBytes <= MAX_READING_BYTES) break;
    READINGS.delete(key);
    readingBytes -= old.bytes;
  }
  return read;
}

function parseOne(der: Uint8Array, source: RevocationSource): ParsedCrl {
  const sha256 = createHash('sha256').update(der).digest('hex');
  const read = reading(der, sha256);
  const parsed: ParsedCrl = Object.freeze({
    type: 'crl',
    source,
    der: Uint8Array.from(der),
    sha256,
    issuer: read.issuer,
    thisUpdate: new Date(read.thisUpdate.getTime()),
    nextUpdate: read.nextUpdate && new Date(read.nextUpdate.getTime()),
    delta: read.delta,
    entries: read.internals.entries.size,
  });
  INTERNALS.set(parsed, read.internals);
  return parsed;
}

/**
 * Reads a CRL (PEM `X509 CRL` or DER). Throws `ERR_PKI_INPUT` when it is not one. `source` says where it came
 * from in reports (default `supplied`).
 *
 * @example
 * ```ts
 * const crl = parseCrl(await readFile('ca.crl'));
 * const result = await validateCertificatePath(signer, { trustAnchors: root, revocation: { crls: [crl] } });
 * ```
 */
export function parseCrl(input: string | Uint8Array, options: { source?: RevocationSource } = {}): ParsedCrl {
  const [der, ...more] = decodeCertificates(input, 'X509 CRL');
  if (!der || more.length > 0) throw new PkiError('ERR_PKI_INPUT', 'Expected exactly one CRL');
  return parseOne(der, options.source ?? 'supplied');
}

/** Every CRL of the inputs (a PEM text may hold several); parsed ones pass through. */
export function toCrls(
  inputs: readonly (string | Uint8Array | ParsedCrl)[] | undefined,
  source: RevocationSource,
): ParsedCrl[] {
  const out: ParsedCrl[] = [];
  for (const item of inputs ?? []) {
    if (typeof item === 'object' && !(item instanceof Uint8Array)) {
      crlInternals(item);
      out.push(item);
    } else for (const der of decodeCertificates(item, 'X509 CRL')) out.push(parseOne(der, source));
  }
  return out;
}

/** How a CRL speaks about one certificate: not at all, only of revocations (partial), or completely. */
export function crlScope(crl: ParsedCrl, cert: Cert, certIsCa: boolean): 'none' | 'partial' | 'complete' {
  const i = crlInternals(crl);
  if (!crl.issuer || !sameName(i.crl.issuer, cert.pkijs.issuer)) return 'none';
  if (i.onlyAttribute || (i.onlyUser && certIsCa) || (i.onlyCa && !certIsCa)) return 'none';
  if (crl.delta || i.partialReasons) return 'partial';
  // A partitioned CRL covers only the certificates whose distribution point names it (RFC 5280 §6.3.3 (b)(2)(i)):
  // not a certificate of another partition, nor one without a distribution point.
  if (i.partitioned) {
    const cdp = distributionPointNames(cert.pkijs);
    if (!cdp.some((g) => i.dpNames.some((d) => sameGeneralName(g, d)))) return 'partial';
  }
  return 'complete';
}

/** Two general names are the same name: strings exactly, directory names as names, IP addresses by bytes. */
function sameGeneralName(a: pkijs.GeneralName, b: pkijs.GeneralName): boolean {
  if (a.type !== b.type) return false;
  if (typeof a.value === 'string' || typeof b.value === 'string') return a.value === b.value;
  if (a.type === 4)
    return (
      a.value instanceof pkijs.RelativeDistinguishedNames &&
      b.value instanceof pkijs.RelativeDistinguishedNames &&
      sameName(a.value, b.value)
    );
  if (a.type === 7 && a.value instanceof asn1js.OctetString && b.value instanceof asn1js.OctetString)
    return a.value.isEqual(b.value);
  // otherName, x400Address, ediPartyName, registeredID: not compared, so never the same.
  return false;
}

/** The CRL's entry for the certificate, ignoring removeFromCRL (which un-lists a held certificate). */
export function crlEntryFor(crl: ParsedCrl, cert: Cert): CrlEntry | undefined {
  const e = crlInternals(crl).entries.get(serialKey(cert.pkijs.serialNumber));
  return e && e.reason !== 'removeFromCRL' ? e : undefined;
}
