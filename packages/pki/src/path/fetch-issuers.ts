import type { OperationOptions } from '@thgov/core';
import { caIssuersUrls } from '../certificate/extensions.js';
import { sameName } from '../certificate/name.js';
import { type Cert, isSelfIssued, toCerts, uniqueCerts } from '../certificate/parse.js';
import { fetchFailure, type OnlineContext, shownUrl } from './revocation-step.js';

/** Issuer certificates downloaded for one validation at most: bounds a hostile or looping caIssuers chain. */
const MAX_DOWNLOADS = 4;
/** Certificates taken from one download (a certs-only PKCS#7 may hold a whole chain). */
const MAX_CERTS_PER_DOWNLOAD = 8;

/** The pool grown by what the caIssuers URLs gave, and why a download gave nothing. */
export interface IssuerDownloads {
  pool: Cert[];
  problems: string[];
}

/** Certificates (the end entity or one of the pool) no certificate at hand could have issued: a path ends there. */
function withoutIssuer(leaf: Cert, pool: readonly Cert[], anchors: readonly Cert[]): Cert[] {
  const known = [...anchors, ...pool];
  return [leaf, ...pool].filter(
    (c) => !isSelfIssued(c) && !known.some((i) => sameName(i.pkijs.subject, c.pkijs.issuer)),
  );
}

/** One caIssuers download as certificates: DER, PEM or a certs-only PKCS#7; anything else is a problem. */
async function download(online: OnlineContext, url: string, problems: string[]): Promise<Cert[]> {
  const op: OperationOptions = online.signal ? { abortSignal: online.signal } : {};
  try {
    const bytes = await online.fetch({ type: 'ca-issuers', url }, op);
    return toCerts(bytes).slice(0, MAX_CERTS_PER_DOWNLOAD);
  } catch (err) {
    problems.push(`issuer certificate ${shownUrl(url)}: ${fetchFailure(online, err)}`);
    return [];
  }
}

/**
 * When no path reaches a trust anchor and fetching is allowed: downloads the missing issuers' certificates from
 * the authorityInfoAccess caIssuers URLs of the certificates that end a path (RFC 5280 §4.2.2.1; what Windows, EU
 * DSS and browsers do for a signer that sent its own certificate only), up to four downloads, level by level. The
 * downloads are only candidates: a path through them still needs every signature to verify up to an anchor.
 */
export async function downloadMissingIssuers(
  leaf: Cert,
  pool: readonly Cert[],
  anchors: readonly Cert[],
  online: OnlineContext,
): Promise<IssuerDownloads> {
  const out: IssuerDownloads = { pool: [...pool], problems: [] };
  const tried = new Set<string>();
  while (tried.size < MAX_DOWNLOADS) {
    const urls = [
      ...new Set(withoutIssuer(leaf, out.pool, anchors).flatMap((c) => caIssuersUrls(c.pkijs))),
    ].filter((u) => !tried.has(u));
    if (urls.length === 0) break;
    const before = out.pool.length;
    for (const url of urls.slice(0, MAX_DOWNLOADS - tried.size)) {
      tried.add(url);
      out.pool = uniqueCerts([...out.pool, ...(await download(online, url, out.problems))]);
    }
    if (out.pool.length === before) break;
  }
  return out;
}
