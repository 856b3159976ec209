// Attack class: chain constraints. pkijs builds paths but does not enforce pathLenConstraint, name constraints
// or extended key usage: a sub-CA under a pathLen=0 CA, or a TLS server certificate, signed transcripts that
// passed. Every issuer must be a CA allowed to sign certificates within its path length and name constraints,
// and the signer's EKU, when present, must allow document signing. poppler's pdfsig is asked for a second opinion.
import { requireTool } from '@thgov/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { NssDb } from '../helpers/pdfsig.js';
import { createTestPki } from '../helpers/pki.js';
import { crlOf, EKU, extraIdentity, outcome, signWith, verifyBoth } from '../helpers/trust.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const caUsage = { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] as ('keyCertSign' | 'cRLSign')[] };
const signerUsage = {
  keyUsage: ['digitalSignature', 'nonRepudiation'] as ('digitalSignature' | 'nonRepudiation')[],
};

// pki.ca carries pathLenConstraint 0: it may issue end entities only.
const subCa = await extraIdentity(pki, 'Sub-CA under a pathLen=0 CA', 500, pki.ca, caUsage);
const subSigner = await extraIdentity(pki, 'Signer under the sub-CA', 501, subCa, signerUsage);
const tlsSigner = await extraIdentity(pki, 'registrar.example.ac.th', 502, pki.ca, {
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extendedKeyUsage: [EKU.serverAuth],
});
const fakeCa = await extraIdentity(pki, 'End entity acting as CA', 503, pki.ca, signerUsage);
const fakeCaSigner = await extraIdentity(pki, 'Signer under an end entity', 504, fakeCa, signerUsage);
const allGood = [
  pki.crlCa,
  pki.crlRoot,
  await crlOf(pki, { issuer: subCa }),
  await crlOf(pki, { issuer: fakeCa }),
];

const files = {
  pathLen: await signWith(subSigner, [subCa.cert, pki.ca.cert], { crls: allGood, tsa: pki.tsaFn }),
  tlsServer: await signWith(tlsSigner, [pki.ca.cert], { crls: allGood, tsa: pki.tsaFn }),
  endEntityCa: await signWith(fakeCaSigner, [fakeCa.cert, pki.ca.cert], { crls: allGood, tsa: pki.tsaFn }),
};

describe('chain constraints', () => {
  it('a sub-CA under a pathLen=0 CA: CHAIN_CONSTRAINTS_FAILURE under both policies', async () => {
    const { strict, generic } = await verifyBoth(files.pathLen, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(outcome(generic)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    const c = strict.signatures[0]!.checks.find((x) => x.id === 'chain-and-revocation')!;
    expect(c.message).toContain('pathLenConstraint');
  });

  it('a TLS server certificate (EKU serverAuth only) is no transcript signer', async () => {
    const { strict, generic } = await verifyBoth(files.tlsServer, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(outcome(generic)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
  });

  it('an end-entity certificate cannot act as a CA', async () => {
    const { strict } = await verifyBoth(files.endEntityCa, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
  });

  it('the document-signing EKUs are accepted', async () => {
    const docSigner = await extraIdentity(pki, 'Document signer', 505, pki.ca, {
      ...signerUsage,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.36'],
    });
    const pdf = await signWith(docSigner, [pki.ca.cert], { crls: allGood, tsa: pki.tsaFn });
    expect(outcome((await verifyBoth(pdf, { trust })).strict)).toEqual(['TOTAL_PASSED', undefined]);
  });
});

// Second opinion: NSS (behind pdfsig) enforces basic constraints and path length too.
const pdfsig = requireTool('pdfsig', { why: 'NSS as a second opinion on basic constraints and path length' });
pdfsig.describe('pdfsig agrees', () => {
  let db: NssDb | undefined;
  afterAll(() => db?.close());

  it('pdfsig does not trust the pathLen and end-entity-CA chains that thgov refuses', async () => {
    db = await NssDb.create(pki.root.cert);
    for (const [name, pdf] of [
      ['pathLen', files.pathLen],
      ['endEntityCa', files.endEntityCa],
    ] as const) {
      const out = db.check(pdf);
      expect(out, name).toContain('Signature is Valid.');
      expect(out, name).not.toContain('Certificate is Trusted.');
    }
  });
});
