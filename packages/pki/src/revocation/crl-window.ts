/**
 * A CRL's thisUpdate and nextUpdate read from its first fields (RFC 5280 §5.1: CertificateList → TBSCertList →
 * version?, signature, issuer, thisUpdate, nextUpdate?), without decoding the list of revoked certificates: the
 * revocation fetcher uses it to know how long a downloaded CRL may be kept. Undefined when the bytes are not a DER
 * CRL of that shape (the caller then keeps the CRL for its shortest time; the CRL is judged elsewhere).
 */
export function crlUpdateWindow(
  der: Uint8Array,
): { thisUpdate: Date; nextUpdate: Date | undefined } | undefined {
  const outer = header(der, 0);
  if (outer?.tag !== 0x30) return undefined;
  const tbs = header(der, outer.start);
  if (tbs?.tag !== 0x30) return undefined;
  let at = tbs.start;
  const next = () => {
    const h = header(der, at);
    if (h) at = h.end;
    return h;
  };
  let field = next();
  if (field?.tag === 0x02) field = next(); // version
  if (field?.tag !== 0x30) return undefined; // signature AlgorithmIdentifier
  if (next()?.tag !== 0x30) return undefined; // issuer Name
  const thisField = next();
  const thisUpdate = thisField && time(der, thisField);
  if (!thisUpdate) return undefined;
  const nextField = header(der, at);
  const nextUpdate = nextField && at < tbs.end ? time(der, nextField) : undefined;
  return { thisUpdate, nextUpdate };
}

interface Header {
  tag: number;
  start: number;
  end: number;
}

/** The DER tag, content start and end of the element at `at`; definite lengths of up to 4 bytes only. */
function header(der: Uint8Array, at: number): Header | undefined {
  const tag = der[at];
  let len = der[at + 1];
  if (tag === undefined || len === undefined) return undefined;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end > der.length ? undefined : { tag, start, end };
}

/** A UTCTime (0x17, RFC 5280's two-digit years) or GeneralizedTime (0x18) in its DER form (`Z`). */
function time(der: Uint8Array, h: Header): Date | undefined {
  if (h.tag !== 0x17 && h.tag !== 0x18) return undefined;
  const text = Buffer.from(der.subarray(h.start, h.end)).toString('latin1');
  const m = (
    h.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/
  ).exec(text);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (h.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  const ms = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
