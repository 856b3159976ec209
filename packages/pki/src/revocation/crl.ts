import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { dnToString } from '../certificate/describe.js';
import { crlIssuerNames, distributionPointNames } from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import type { Cert } from '../certificate/parse.js';
import { allZuluTimes } from '../certificate/times.js';
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
  /** Entries by `<index in entryIssuers>:<serial>`. */
  entries: Map<string, CrlEntry>;
  /** The issuers of the listed certificates: the CRL issuer first, then each certificateIssuer of an indirect CRL. */
  entryIssuers: pkijs.RelativeDistinguishedNames[];
  /** An indirect CRL (RFC 5280 §5.2.5): it may list certificates of other CAs, and be issued by a delegate. */
  indirect: boolean;
  /** Critical CRL or entry extensions that are not understood, and malformed indirect CRLs: not usable at all. */
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
    out.indirect = idp.indirectCRL;
    out.onlyUser = idp.onlyContainsUserCerts;
    out.onlyCa = idp.onlyContainsCACerts;
    out.onlyAttribute = idp.onlyContainsAttributeCerts;
    out.partialReasons = idp.onlySomeReasons !== undefined;
    if (idp.distributionPoint !== undefined) out.partitioned = true;
    if (Array.isArray(idp.distributionPoint)) out.dpNames.push(...idp.distributionPoint);
  }
}

/** Distinct certificate issuers an indirect CRL may name: more make it unusable (each lookup compares them all). */
const MAX_ENTRY_ISSUERS = 64;

/** The index in `entryIssuers` of a certificateIssuer extension's directory name, added when new. */
function entryIssuerIndex(e: pkijs.Extension, out: CrlInternals): number | undefined {
  const names = new pkijs.GeneralNames({
    schema: asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result,
  });
  const dn = names.names.find((g) => g.type === 4)?.value;
  if (!(dn instanceof pkijs.RelativeDistinguishedNames)) return undefined;
  const known = out.entryIssuers.findIndex((n) => sameName(n, dn));
  if (known >= 0) return known;
  if (out.entryIssuers.length >= MAX_ENTRY_ISSUERS) return undefined;
  return out.entryIssuers.push(dn) - 1;
}

/**
 * Entries keyed by issuer and serial. In an indirect CRL, a certificateIssuer entry extension names the issuer of
 * that entry and of the following ones until the next; before the first, the CRL issuer (RFC 5280 §5.3.3).
 */
function readEntries(crl: pkijs.CertificateRevocationList, out: CrlInternals): void {
  let issuer: number | undefined = 0;
  for (const r of crl.revokedCertificates ?? []) {
    const exts = r.crlEntryExtensions?.extensions ?? [];
    const named = exts.find((e) => e.extnID === OID.certificateIssuer);
    if (named && out.indirect) issuer = entryIssuerIndex(named, out);
    if (issuer === undefined) out.unsupported = 'a certificateIssuer entry extension that cannot be used';
    const critical = exts.find(
      (e) => e.critical && !KNOWN_ENTRY_EXTENSIONS.has(e.extnID) && !(out.indirect && e === named),
    );
    // certificateIssuer (critical) belongs to indirect CRLs only: elsewhere it is not understood.
    if (critical) out.unsupported = `critical CRL entry extension ${critical.extnID}`;
    addEntry(out.entries, `${issuer ?? 0}:${serialKey(r.userCertificate)}`, {
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
    entryIssuers: [],
    indirect: false,
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
    internals.entryIssuers.push(crl.issuer);
    readScope(crl, internals);
    readEntries(crl, internals);
    // asn1js misreads other forms (a revocation date of 1899, a day of the week as the day): none is used.
    if (!allZuluTimes(asn.result))
      internals.unsupported ??= 'a time not written in UTC with seconds (RFC 5280 §5.1.2.4)';
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
  if (!crl.issuer || !speaksFor(i, cert)) return 'none';
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

/**
 * RFC 5280 §6.3.3 (b)(1): the CRL issuer is the certificate's issuer, or a cRLIssuer its distribution points name
 * and the CRL is indirect.
 */
function speaksFor(i: CrlInternals, cert: Cert): boolean {
  if (sameName(i.crl.issuer, cert.pkijs.issuer)) return true;
  return i.indirect && crlIssuerNames(cert.pkijs).some((n) => sameName(n, i.crl.issuer));
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

/** The CRL's entry for the certificate (by its issuer and serial), removeFromCRL ones included. */
function entryOf(crl: ParsedCrl, cert: Cert): CrlEntry | undefined {
  const i = crlInternals(crl);
  const index = i.entryIssuers.findIndex((n) => sameName(n, cert.pkijs.issuer));
  return index < 0 ? undefined : i.entries.get(`${index}:${serialKey(cert.pkijs.serialNumber)}`);
}

/** The CRL's entry for the certificate, ignoring removeFromCRL (which un-lists a held certificate). */
export function crlEntryFor(crl: ParsedCrl, cert: Cert): CrlEntry | undefined {
  const e = entryOf(crl, cert);
  return e && e.reason !== 'removeFromCRL' ? e : undefined;
}

/**
 * The CRL lists the certificate with removeFromCRL (a delta CRL's "taken off hold", RFC 5280 §5.3.1): an explicit
 * statement that it is no longer on hold, whatever the CRL's scope otherwise is.
 */
export function crlReleases(crl: ParsedCrl, cert: Cert): boolean {
  return entryOf(crl, cert)?.reason === 'removeFromCRL';
}
