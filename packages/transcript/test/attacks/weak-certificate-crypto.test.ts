// Attack class: weak cryptography in the certificate path. The CMS digest was already held to SHA-256+, but a
// signer certificate signed with SHA-1, or a CA with a 1024-bit RSA key, passed: whoever can forge such a
// certificate can sign transcripts. Refused by default with CRYPTO_CONSTRAINTS_FAILURE.

import { createTimeStampAuthority, generateSigningKeyPair } from '@thgov/pki/testing';
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../helpers/pki.js';
import { crlOf, EKU, extraIdentity, outcome, signWith, verifyBoth } from '../helpers/trust.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const signerUsage = {
  keyUsage: ['digitalSignature', 'nonRepudiation'] as ('digitalSignature' | 'nonRepudiation')[],
};

describe('weak algorithms on the path', () => {
  it('a signer certificate signed with SHA-1: CRYPTO_CONSTRAINTS_FAILURE', async () => {
    const sha1Signer = await extraIdentity(pki, 'SHA-1 certified signer', 600, pki.ca, {
      ...signerUsage,
      signatureHash: 'SHA-1',
    });
    const pdf = await signWith(sha1Signer, [pki.ca.cert], { crls: [pki.crlCa, pki.crlRoot], tsa: pki.tsaFn });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']);
    expect(outcome(generic)).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']);
  });

  it('an issuing CA with a 1024-bit RSA key: CRYPTO_CONSTRAINTS_FAILURE', async () => {
    const weakCa = await extraIdentity(pki, 'Weak CA', 601, pki.root, {
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
      keyPair: await generateSigningKeyPair({ modulusLength: 1024 }),
    });
    const signer = await extraIdentity(pki, 'Signer under the weak CA', 602, weakCa, signerUsage);
    const pdf = await signWith(signer, [weakCa.cert], {
      crls: [await crlOf(pki, { issuer: weakCa }), pki.crlRoot],
      tsa: pki.tsaFn,
    });
    expect(outcome((await verifyBoth(pdf, { trust })).strict)).toEqual([
      'INDETERMINATE',
      'CRYPTO_CONSTRAINTS_FAILURE',
    ]);
  });

  it('a time-stamp whose TSA certificate is SHA-1 signed proves nothing', async () => {
    const weakTsa = await extraIdentity(pki, 'SHA-1 TSA', 603, pki.ca, {
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: [EKU.timeStamping],
      extendedKeyUsageCritical: true,
      signatureHash: 'SHA-1',
    });
    const tsa = createTimeStampAuthority({
      certificate: weakTsa.cert,
      privateKey: weakTsa.key,
      chain: [pki.ca.cert],
    });
    const pdf = await signWith(pki.signer, [pki.ca.cert], { crls: [pki.crlCa, pki.crlRoot], tsa });
    const { strict, generic } = await verifyBoth(pdf, { trust });
    expect(outcome(strict)).toEqual(['INDETERMINATE', 'NO_POE']);
    expect(generic.signatures[0]!.signingTime.proof).toBe('none');
  });
});
