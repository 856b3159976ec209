// Attack class: a name that escapes its CA's name constraints by its spelling. Directory names are compared RDN
// by RDN (a multi-valued RDN {C=TH + O=Gov} is not the two RDNs C=TH, O=Gov: RFC 5280 §7.1), and attribute
// values after RFC 4518 string preparation, so that invisible characters (ZWSP, soft hyphen) and compatibility
// forms (full-width letters) do not make an excluded name look like another.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, DAY, type Identity, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const C = '2.5.4.6';
const O = '2.5.4.10';
const CN = '2.5.4.3';
const root = await issue(now, 'NC Root', 1, undefined, {
  ...CA_USAGE,
  notAfter: new Date(now.getTime() + 3650 * DAY),
});
const GOV = { directory: { country: 'TH', organization: 'Gov' } };
const permittedCa = await issue(now, 'Permitted CA', 2, root, {
  ...CA_USAGE,
  nameConstraints: { permitted: [GOV] },
});
const excludedCa = await issue(now, 'Excluded CA', 3, root, {
  ...CA_USAGE,
  nameConstraints: { excluded: [GOV] },
});

const atv = (type: string, v: string) =>
  new pkijs.AttributeTypeAndValue({
    type,
    value: type === C ? new asn1js.PrintableString({ value: v }) : new asn1js.Utf8String({ value: v }),
  }).toSchema();
const rdn = (...values: asn1js.Sequence[]) => new asn1js.Set({ value: values });

/** A NameConstraints value excluding one directoryName given as DER. */
function excludedDirectory(nameDer: ArrayBuffer): Uint8Array {
  const name = new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(nameDer).result });
  const nc = new pkijs.NameConstraints({
    excludedSubtrees: [new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type: 4, value: name }) })],
  });
  return new Uint8Array(nc.toSchema().toBER(false));
}

let serial = 50;
/** A leaf of `ca` whose subject is exactly these RDNs. */
async function leaf(ca: Identity, rdns: asn1js.Set[]) {
  const base = await issue(now, 'x', serial++, ca, SIGNER_USAGE);
  const c = pkijs.Certificate.fromBER(Uint8Array.from(base.cert).buffer);
  const der = new asn1js.Sequence({ value: rdns }).toBER(false);
  c.subject = new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
  await c.sign(ca.key, 'SHA-256');
  return validateCertificatePath(new Uint8Array(c.toSchema(true).toBER(false)), {
    trustAnchors: root.cert,
    intermediates: [ca.cert],
    revocation: false,
  });
}

describe('multi-valued RDNs', () => {
  it('C=TH, O=Gov, CN=inside is within C=TH, O=Gov', async () => {
    expectOutcome(
      await leaf(permittedCa, [rdn(atv(C, 'TH')), rdn(atv(O, 'Gov')), rdn(atv(CN, 'in'))]),
      'PASSED',
    );
  });

  it('{C=TH + O=Gov}, CN=mv is not within C=TH, O=Gov', async () => {
    const r = await leaf(permittedCa, [rdn(atv(C, 'TH'), atv(O, 'Gov')), rdn(atv(CN, 'mv'))]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
  });

  it('a multi-valued RDN after the permitted prefix is allowed', async () => {
    const thCa = await issue(now, 'TH CA', 4, root, {
      ...CA_USAGE,
      nameConstraints: { permitted: [{ directory: { country: 'TH' } }] },
    });
    expectOutcome(await leaf(thCa, [rdn(atv(C, 'TH')), rdn(atv(O, 'Gov'), atv(CN, 'a'))]), 'PASSED');
  });

  it('a multi-valued RDN that differs from the excluded one only in the order of its values is excluded', async () => {
    const base = new asn1js.Sequence({ value: [rdn(atv(C, 'TH'), atv(O, 'Gov'))] }).toBER(false);
    const mvExcluded = await issue(now, 'MV CA', 5, root, {
      ...CA_USAGE,
      extensions: [{ oid: '2.5.29.30', critical: true, value: excludedDirectory(base) }],
    });
    const r = await leaf(mvExcluded, [rdn(atv(O, 'gov'), atv(C, 'TH')), rdn(atv(CN, 'x'))]);
    expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
  });
});

describe('string preparation (RFC 4518)', () => {
  for (const [label, o] of [
    ['zero-width space', 'G\u200Bov'],
    ['soft hyphen', 'G\u00ADov'],
    ['full-width letter', '\uFF27ov'],
    ['upper case and spaces', '  GOV  '],
  ] as const) {
    it(`O=Gov spelled with a ${label} is still in the excluded subtree`, async () => {
      const r = await leaf(excludedCa, [rdn(atv(C, 'TH')), rdn(atv(O, o)), rdn(atv(CN, 'x'))]);
      expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    });
  }

  it('another organisation is not excluded', async () => {
    expectOutcome(
      await leaf(excludedCa, [rdn(atv(C, 'TH')), rdn(atv(O, 'Gove')), rdn(atv(CN, 'x'))]),
      'PASSED',
    );
  });
});
