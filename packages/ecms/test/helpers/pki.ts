import { createSelfSigned, createTestCa } from '@thgov/testkit';

export interface TestPki {
  caCert: string;
  signerKey: string;
  signerCert: string;
  /** A self-signed certificate nobody trusts, with its key. */
  strangerKey: string;
  strangerCert: string;
}

/** A throwaway RSA CA and signer, and an EC stranger, made in process for this run (nothing committed). */
export async function makeTestPki(): Promise<TestPki> {
  const ca = await createTestCa({ commonName: 'Test e-CMS CA', keyType: 'rsa', validForDays: 30 });
  const signer = await ca.issue({
    commonName: 'Saraban signer',
    usage: 'signing',
    keyType: 'rsa',
    validForDays: 10,
  });
  const stranger = await createSelfSigned({ commonName: 'Stranger', usage: 'signing', validForDays: 10 });
  return {
    caCert: ca.cert,
    signerKey: signer.key,
    signerCert: signer.cert,
    strangerKey: stranger.key,
    strangerCert: stranger.cert,
  };
}
