import { createHash } from 'node:crypto';

/**
 * DGA Digital ID expects the client secret as md5(secret + "EGA") iterated seven times in all
 * (lower-case hex). Callers pass the raw Consumer-Secret; the preset applies this transform.
 */
export function dgaHashSecret(rawSecret: string): string {
  let h = rawSecret;
  for (let i = 0; i < 7; i++) h = createHash('md5').update(`${h}EGA`, 'utf8').digest('hex');
  return h;
}
