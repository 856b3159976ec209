import { createHash } from 'node:crypto';

/**
 * DGA registers a client's secret as md5(secret + "EGA") iterated seven times (lower-case hex); the
 * relying party sends that hash, never the raw Consumer-Secret. Duplicated in @thgov/digital-id on
 * purpose: the sandbox must not depend on the package it tests.
 */
export function dgaHashSecret(rawSecret: string): string {
  let h = rawSecret;
  for (let i = 0; i < 7; i++) h = createHash('md5').update(`${h}EGA`, 'utf8').digest('hex');
  return h;
}
