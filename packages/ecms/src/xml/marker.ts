import { randomUUID } from 'node:crypto';

/**
 * A placeholder prefix that no input can predict: 122 random bits, new for every document. It comes from
 * `randomUUID`, which draws on Node's entropy cache (one `randomFillSync` per 128 calls); `randomBytes(6)` made
 * one such call per document, about 3% of an inbox letter's CPU on PostgreSQL (two documents per letter).
 */
export const placeholderMarker = (kind: 'blob' | 'splice'): string =>
  `__thgov_${kind}_${randomUUID().replace(/-/g, '')}_`;
