import { createHash } from 'node:crypto';
import { CscClient, isEsignError } from '@thgov/esign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CscWorld, loginForToken, sadFor, startCscWorld } from '../helpers/csc.js';

/**
 * Hash substitution: the officer approves document A; a compromised signing application (or a man in the
 * middle) sends signHash a different hash B under the same authorisation. The service must sign nothing.
 */
const SHA256 = '2.16.840.1.101.3.4.2.1';
const b64 = (text: string) => createHash('sha256').update(text).digest('base64');
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

let world: CscWorld;
let client: CscClient;
let serviceToken: string;

beforeAll(async () => {
  world = await startCscWorld();
  client = new CscClient({ serviceUrl: world.csc.url });
  serviceToken = await loginForToken(world, world.officer.citizenId, 'openid service');
}, 60_000);
afterAll(async () => {
  await client?.close();
  await world?.close();
});

const authorise = (hashes: string[]) => sadFor(world, client, serviceToken, hashes);

describe('hash substitution against signatures/signHash', () => {
  it('a SAD for document A does not sign document B', async () => {
    const sad = await authorise([b64('approved letter')]);
    const err = await client
      .signHash(
        {
          credentialId: 'officer1-p256',
          sad,
          hashes: [b64('substituted letter')],
          hashAlgorithmOid: SHA256,
          signAlgo: ECDSA_SHA256,
        },
        { accessToken: serviceToken },
      )
      .catch((e) => e);
    expect(isEsignError(err, 'ERR_ESIGN_CSC_HASH_MISMATCH')).toBe(true);
  });

  it('nor A plus a smuggled B, nor A twice beyond numSignatures', async () => {
    const a = b64('approved letter 2');
    for (const hashes of [
      [a, b64('smuggled')],
      [a, a],
    ]) {
      const sad = await authorise([a]);
      const err = await client
        .signHash(
          { credentialId: 'officer1-p256', sad, hashes, hashAlgorithmOid: SHA256, signAlgo: ECDSA_SHA256 },
          { accessToken: serviceToken },
        )
        .catch((e) => e);
      expect(isEsignError(err, 'ERR_ESIGN_CSC_HASH_MISMATCH')).toBe(true);
    }
  });

  it('nor the same bytes presented as a SHA-384 hash of another document', async () => {
    const sad = await authorise([b64('approved letter 3')]);
    const err = await client
      .signHash(
        {
          credentialId: 'officer1-p256',
          sad,
          hashes: [createHash('sha384').update('other').digest('base64')],
          hashAlgorithmOid: '2.16.840.1.101.3.4.2.2',
          signAlgo: '1.2.840.10045.4.3.3',
        },
        { accessToken: serviceToken },
      )
      .catch((e) => e);
    expect(isEsignError(err, 'ERR_ESIGN_CSC_HASH_MISMATCH')).toBe(true);
  });

  it('the authorised hash itself is signed (the refusals above are not a broken service)', async () => {
    const a = b64('approved letter 4');
    const sad = await authorise([a]);
    const signatures = await client.signHash(
      { credentialId: 'officer1-p256', sad, hashes: [a], hashAlgorithmOid: SHA256, signAlgo: ECDSA_SHA256 },
      { accessToken: serviceToken },
    );
    expect(signatures).toHaveLength(1);
  });
});
