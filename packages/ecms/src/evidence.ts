import { createHash } from 'node:crypto';

/** The raw XML of one exchange with the node: the agency's own evidence (e-CMS has no signed receipts). */
export interface ExchangeEvidence {
  operation: string;
  requestId: string;
  at: Date;
  requestXml: Uint8Array;
  requestSha256: string;
  responseXml: Uint8Array;
  responseSha256: string;
}

/** The SHA-256 of bytes or a string, as lower-case hex (how evidence is hashed). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
