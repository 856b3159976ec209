import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';

/**
 * Whether two X.509 names are the same name, with pkijs's `RelativeDistinguishedNames.isEqual` as the rule (it
 * trims, collapses spaces and lower-cases string values, then compares them with `localeCompare`).
 *
 * The first `localeCompare` of a process builds an ICU collator, 7-20 ms here: most of the time of
 * `thgov transcript verify` on one file went into that, to learn that two certificates' names differ. This
 * answers without the collator in the two cases that are nearly every case, and gives the same answer as pkijs:
 * - the names' DER is the same (a certificate's issuer copied from its CA's subject): the same name;
 * - some attribute tells them apart for sure: another count or type of attributes, a non-string value with
 *   other bytes, or string values of printable ASCII (U+0020-U+007E) that differ after pkijs's trimming,
 *   space collapsing and lower-casing. Each such character has a weight of its own in ICU's root collation,
 *   so such strings are never equal under `localeCompare` either (the test checks it on this Node's ICU).
 * Anything else (Thai or other non-ASCII text, control characters) goes to pkijs as before.
 */
export function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  if (sameBytes(a.valueBeforeDecode, b.valueBeforeDecode)) return true;
  if (surelyDifferent(a, b)) return false;
  return a.isEqual(b);
}

function sameBytes(x: ArrayBuffer | undefined, y: ArrayBuffer | undefined): boolean {
  if (!(x instanceof ArrayBuffer) || !(y instanceof ArrayBuffer) || x.byteLength === 0) return false;
  return x.byteLength === y.byteLength && Buffer.from(x).equals(Buffer.from(y));
}

function surelyDifferent(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  const av = a.typesAndValues;
  const bv = b.typesAndValues;
  if (av.length !== bv.length) return true;
  for (let i = 0; i < av.length; i++) {
    const x = av[i]!;
    const y = bv[i]!;
    if (x.type !== y.type) return true;
    const xText = isText(x.value);
    if (xText !== isText(y.value)) return true;
    if (xText) {
      const xs = (x.value as asn1js.BaseStringBlock).valueBlock.value as unknown;
      const ys = (y.value as asn1js.BaseStringBlock).valueBlock.value as unknown;
      if (typeof xs !== 'string' || typeof ys !== 'string') continue;
      if (printableAscii(xs) && printableAscii(ys) && prepAscii(xs) !== prepAscii(ys)) return true;
    } else {
      const xb = (x.value as asn1js.BaseBlock | undefined)?.valueBeforeDecodeView;
      const yb = (y.value as asn1js.BaseBlock | undefined)?.valueBeforeDecodeView;
      if (xb && yb && !Buffer.from(xb).equals(Buffer.from(yb))) return true;
    }
  }
  return false;
}

/**
 * The types whose values pkijs compares as text (by block name, as pkijs does: not UTCTime, say). Built on
 * first use, so that importing the package does not load asn1js.
 */
let textTypes: Set<string> | undefined;

function isText(value: unknown): boolean {
  const type = (value as { constructor?: { blockName?: () => string } } | undefined)?.constructor;
  if (typeof type?.blockName !== 'function') return false;
  textTypes ??= new Set(
    [
      asn1js.Utf8String,
      asn1js.BmpString,
      asn1js.UniversalString,
      asn1js.NumericString,
      asn1js.PrintableString,
      asn1js.TeletexString,
      asn1js.VideotexString,
      asn1js.IA5String,
      asn1js.GraphicString,
      asn1js.VisibleString,
      asn1js.GeneralString,
      asn1js.CharacterString,
    ].map((t) => t.blockName()),
  );
  return textTypes.has(type.blockName());
}

function printableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** pkijs's string preparation, for printable ASCII: trim, collapse runs of spaces, lower-case. */
export function prepAscii(s: string): string {
  return s.trim().replace(/ {2,}/g, ' ').toLowerCase();
}
