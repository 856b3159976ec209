import { caught, createSelfSigned } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { isThGovError } from '../../src/errors.js';
import { createRequestSigner } from '../../src/signing/signer.js';
import { createSignatureVerifier, type SignatureVerifier } from '../../src/signing/verifier.js';

/**
 * A verification key given as an X.509 certificate comes with the period its key may sign in. When an agency
 * rotates its signing certificate the old one expires, but the verifier's configuration (or a registry the key
 * resolver reads) still holds it: a signature made after `notAfter` (its `iat` is signed) was made with a key its
 * own certificate says is no longer valid, which pyHanko and EU DSS refuse. So is one made before `notBefore`.
 */

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const request = {
  method: 'POST',
  target: '/gdx/v1/dopa/linkage',
  body: '{"n":1}',
  requestId: '0c8e4f2a-6d1b-4a7e-8f3c-5b9d2e1a7c64',
};

const cert = await createSelfSigned({
  commonName: 'agency signing 2026',
  usage: 'signing',
  notBefore: new Date(T0 - 30 * DAY),
  notAfter: new Date(T0 + DAY),
});
const signer = createRequestSigner({ key: cert.key, kid: 'agency-2026', alg: 'ES256' });

async function verifyAt(verifier: SignatureVerifier, at: number) {
  const { headers } = await signer.sign({ ...request, now: at });
  return verifier.verify({ ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: at });
}

const verifiers = {
  keys: () => createSignatureVerifier({ keys: [{ kid: 'agency-2026', key: cert.cert }] }),
  keyResolver: () => createSignatureVerifier({ keyResolver: () => cert.cert }),
};

describe('attack: signatures made outside the validity period of the key certificate', () => {
  for (const [source, make] of Object.entries(verifiers)) {
    it(`accepts a signature made while the certificate is valid (${source})`, async () => {
      await expect(verifyAt(make(), T0)).resolves.toMatchObject({ kid: 'agency-2026' });
    });

    it(`refuses a signature made after the certificate expired (${source})`, async () => {
      const err = await caught(verifyAt(make(), T0 + 3 * DAY));
      expect(isThGovError(err, 'ERR_JWS_INVALID')).toBe(true);
      expect(err.message).toMatch(/certificate/);
      expect(JSON.stringify(err)).not.toContain(cert.cert.slice(40, 100));
    });

    it(`refuses a signature made before the certificate was valid (${source})`, async () => {
      const err = await caught(verifyAt(make(), T0 - 60 * DAY));
      expect(isThGovError(err, 'ERR_JWS_INVALID')).toBe(true);
    });
  }

  it('does not remember the jti of a refused signature (the replay cache is left as it was)', async () => {
    const verifier = verifiers.keys();
    const late = T0 + 3 * DAY;
    const { headers } = await signer.sign({ ...request, now: late });
    const input = { ...request, headers: { ...headers, 'x-request-id': request.requestId }, now: late };
    const first = await caught(verifier.verify(input));
    const second = await caught(verifier.verify(input));
    // Both refused for the certificate, never as a replay of the first refusal.
    expect([first.code, second.code]).toEqual(['ERR_JWS_INVALID', 'ERR_JWS_INVALID']);
  });
});
