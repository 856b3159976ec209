// Attack class: chain constraints on an esign-signed document. Every issuer must be a CA allowed to sign
// certificates within its path length, and the signer's EKU, when present, must allow document signing: a
// sub-CA under the pathLen=0 CA, an end entity acting as a CA, or a TLS server certificate signs nothing.
import { describe, expect, it } from 'vitest';
import {
  caUsage,
  crlOf,
  EKU,
  extraIdentity,
  outcome,
  signAs,
  signerUsage,
  verifyAgainst,
} from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const pki = await createSigningPki(); // pki.ca carries pathLenConstraint 0

describe('chain constraints on esign signatures', () => {
  it('a sub-CA under a pathLen=0 CA: INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE naming pathLenConstraint', async () => {
    const subCa = await extraIdentity(pki, 'Sub-CA under a pathLen=0 CA', 500, pki.ca, caUsage);
    const officer = await extraIdentity(pki, 'Officer under the sub-CA', 501, subCa, signerUsage);
    const pdf = await signAs(officer, [subCa.cert, pki.ca.cert], {
      crls: [...pki.crls, await crlOf(pki, { issuer: subCa })],
      tsa: pki.tsa,
    });
    const report = await verifyAgainst(pki, pdf);
    expect(outcome(report)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(JSON.stringify(report.signatures[0]!.checks)).toContain('pathLenConstraint');
  });

  it('an end-entity certificate acting as a CA: INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE', async () => {
    const fakeCa = await extraIdentity(pki, 'End entity acting as CA', 502, pki.ca, signerUsage);
    const officer = await extraIdentity(pki, 'Officer under an end entity', 503, fakeCa, signerUsage);
    const pdf = await signAs(officer, [fakeCa.cert, pki.ca.cert], {
      crls: [...pki.crls, await crlOf(pki, { issuer: fakeCa })],
      tsa: pki.tsa,
    });
    expect(outcome(await verifyAgainst(pki, pdf))).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
  });

  it('a TLS server certificate (EKU serverAuth only): INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE', async () => {
    const tls = await extraIdentity(pki, 'saraban.example.go.th', 504, pki.ca, {
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: [EKU.serverAuth],
    });
    const pdf = await signAs(tls, [pki.ca.cert], { crls: pki.crls, tsa: pki.tsa });
    expect(outcome(await verifyAgainst(pki, pdf))).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
  });

  it('control: a document-signing EKU is accepted', async () => {
    const doc = await extraIdentity(pki, 'Document signer', 505, pki.ca, {
      ...signerUsage,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.36'],
    });
    const pdf = await signAs(doc, [pki.ca.cert], { crls: pki.crls, tsa: pki.tsa });
    expect(outcome(await verifyAgainst(pki, pdf))).toEqual(['TOTAL_PASSED', undefined]);
  });
});
