// Attack class: weak cryptography in the certificate path of an esign-signed document. A signer certificate
// signed with SHA-1, or an issuing CA with a 1024-bit RSA key, can be forged by whoever can afford it: the
// signature must not pass (CRYPTO_CONSTRAINTS_FAILURE), however sound the CMS digest is.
import { generateSigningKeyPair } from '@thgov/pki/testing';
import { describe, expect, it } from 'vitest';
import {
  caUsage,
  crlOf,
  extraIdentity,
  outcome,
  signAs,
  signerUsage,
  verifyAgainst,
} from '../helpers/attack.js';
import { createSigningPki } from '../helpers/pki.js';

const pki = await createSigningPki();

describe('weak algorithms on the path of an esign signature', () => {
  it('a signer certificate signed with SHA-1: INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE', async () => {
    const sha1 = await extraIdentity(pki, 'SHA-1 certified officer', 600, pki.ca, {
      ...signerUsage,
      signatureHash: 'SHA-1',
    });
    const pdf = await signAs(sha1, [pki.ca.cert], { crls: pki.crls, tsa: pki.tsa });
    expect(outcome(await verifyAgainst(pki, pdf))).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']);
  });

  it('an issuing CA with a 1024-bit RSA key: INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE', async () => {
    const weakCa = await extraIdentity(pki, 'Weak CA', 601, pki.root, {
      ...caUsage,
      keyPair: await generateSigningKeyPair({ modulusLength: 1024 }),
    });
    const officer = await extraIdentity(pki, 'Officer under the weak CA', 602, weakCa, signerUsage);
    const pdf = await signAs(officer, [weakCa.cert], {
      crls: [await crlOf(pki, { issuer: weakCa }), ...pki.crls],
      tsa: pki.tsa,
    });
    expect(outcome(await verifyAgainst(pki, pdf))).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']);
  });

  it('control: the same path with SHA-256 and 2048-bit keys passes', async () => {
    const pdf = await signAs(pki.officer, [pki.ca.cert], { crls: pki.crls, tsa: pki.tsa });
    expect(outcome(await verifyAgainst(pki, pdf))).toEqual(['TOTAL_PASSED', undefined]);
  });
});
