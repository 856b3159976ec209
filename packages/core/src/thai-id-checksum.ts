/**
 * The mod-11 check digit shared by Thai citizen IDs and juristic-person IDs: digits 1..12 weighted
 * 13..2, check = (11 - sum mod 11) mod 10. Kept apart from identifiers.ts so redaction can use it
 * without pulling in zod.
 */
export function thaiIdCheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (first12.charCodeAt(i) - 48) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

export function isValidThaiIdDigits(digits: string): boolean {
  return /^\d{13}$/.test(digits) && thaiIdCheckDigit(digits) === digits.charCodeAt(12) - 48;
}
