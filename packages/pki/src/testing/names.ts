import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, toArrayBuffer } from '../engine.js';

/** A subject or issuer name for test certificates. */
export interface DistinguishedName {
  /** Omit for a name prefix (a directoryName constraint such as `C=TH, O=Good University`). */
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  /** An emailAddress attribute (subject to rfc822Name constraints). */
  email?: string;
}

/** One GeneralName, for subjectAltName and name constraints. `ip` takes `a.b.c.d` or, in constraints, a CIDR. */
export type GeneralNameSpec =
  | { dns: string }
  | { email: string }
  | { uri: string }
  | { directory: DistinguishedName }
  | { ip: string };

export function buildName(dn: DistinguishedName): pkijs.RelativeDistinguishedNames {
  const rdns: asn1js.Set[] = [];
  const add = (type: string, value: string | undefined, kind: 'utf8' | 'printable' | 'ia5' = 'utf8') => {
    if (value === undefined) return;
    const v =
      kind === 'printable'
        ? new asn1js.PrintableString({ value })
        : kind === 'ia5'
          ? new asn1js.IA5String({ value })
          : new asn1js.Utf8String({ value });
    rdns.push(new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: v }).toSchema()] }));
  };
  add('2.5.4.6', dn.country, 'printable');
  add('2.5.4.10', dn.organization);
  add('2.5.4.11', dn.organizationalUnit);
  add('2.5.4.3', dn.commonName);
  add(OID.emailAddress, dn.email, 'ia5');
  // One attribute per RDN; pkijs would otherwise put them all in a single multi-valued RDN.
  const der = new asn1js.Sequence({ value: rdns }).toBER(false);
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

function ipBytes(text: string): number[] {
  if (isIP(text) === 4) return text.split('.').map(Number);
  throw new RangeError(`only IPv4 addresses are supported in test names: ${text}`);
}

export function generalName(spec: GeneralNameSpec, constraint = false): pkijs.GeneralName {
  if ('dns' in spec) return new pkijs.GeneralName({ type: 2, value: spec.dns });
  if ('email' in spec) return new pkijs.GeneralName({ type: 1, value: spec.email });
  if ('uri' in spec) return new pkijs.GeneralName({ type: 6, value: spec.uri });
  if ('directory' in spec) return new pkijs.GeneralName({ type: 4, value: buildName(spec.directory) });
  const [addr, bits] = spec.ip.split('/');
  const bytes = ipBytes(addr!);
  if (constraint) {
    const n = Number(bits ?? 32);
    const mask = [0, 1, 2, 3].map((i) => (0xff << (8 - Math.max(0, Math.min(8, n - i * 8)))) & 0xff);
    bytes.push(...mask);
  }
  return new pkijs.GeneralName({
    type: 7,
    value: new asn1js.OctetString({ valueHex: toArrayBuffer(Uint8Array.from(bytes)) }),
  });
}

/** A DER INTEGER from a non-negative safe integer. */
export function integerFromNumber(n: number): asn1js.Integer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.from(hex, 'hex')) });
}
