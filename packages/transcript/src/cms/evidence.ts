import {
  type ParsedCrl,
  type ParsedOcspResponse,
  parseCrl,
  parseOcspResponse,
  type RevocationSource,
} from '@thgov/pki';

/** Every CRL and OCSP response found for one PDF (CMS, Adobe archival, /DSS) or supplied by the caller. */
export interface EvidencePool {
  crls: ParsedCrl[];
  ocsps: ParsedOcspResponse[];
}

export function emptyPool(): EvidencePool {
  return { crls: [], ocsps: [] };
}

export function addCrl(pool: EvidencePool, der: Uint8Array, source: RevocationSource): void {
  try {
    pool.crls.push(parseCrl(der, { source }));
  } catch {
    // Unreadable embedded revocation data counts as absent; the report then says the status is unknown.
  }
}

/** Accepts a full OCSPResponse or a bare BasicOCSPResponse. */
export function addOcsp(pool: EvidencePool, der: Uint8Array, source: RevocationSource): void {
  try {
    pool.ocsps.push(parseOcspResponse(der, { source }));
  } catch {
    // as above
  }
}
