import { createHash } from 'node:crypto';
import { CscClient, isEsignError } from '@thgov/esign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CscWorld, loginForToken, startCscWorld } from '../helpers/csc.js';

/**
 * A `credential`-scope token from the digital-ID provider is bound, through `authorization_details`, to one
 * credential and to the document digests the officer approved. Used for another hash, another credential,
 * twice, or replaced by a mere `service` token, it signs nothing.
 */
const SHA256 = '2.16.840.1.101.3.4.2.1';
const RSA_SHA256 = '1.2.840.113549.1.1.11';
const b64 = (text: string) => createHash('sha256').update(text).digest('base64');

let world: CscWorld;
let client: CscClient;

const details = (credentialID: string, hashes: string[]) => [
  {
    type: 'credential',
    credentialID,
    documentDigests: hashes.map((hash) => ({ hash, label: 'letter' })),
    hashAlgorithmOID: SHA256,
    locations: [],
  },
];
const tokenFor = (credentialId: string, hashes: string[], citizenId = world.officer.citizenId) =>
  loginForToken(world, citizenId, 'openid credential', details(credentialId, hashes));
const signHash = (credentialId: string, hashes: string[], accessToken: string) =>
  client.signHash({ credentialId, hashes, hashAlgorithmOid: SHA256, signAlgo: RSA_SHA256 }, { accessToken });

beforeAll(async () => {
  world = await startCscWorld();
  client = new CscClient({ serviceUrl: world.csc.url });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await world?.close();
});

describe('credential-scope token binding', () => {
  it('a token approved for hash A does not sign hash B', async () => {
    const token = await tokenFor('officer1-rsa', [b64('approved')]);
    expect(
      isEsignError(
        await signHash('officer1-rsa', [b64('other')], token).catch((e) => e),
        'ERR_ESIGN_CSC_HASH_MISMATCH',
      ),
    ).toBe(true);
  });

  it('a token approved for one credential does not sign with another of the same officer', async () => {
    const hash = b64('approved for rsa');
    const token = await tokenFor('officer1-rsa', [hash]);
    const err = await client
      .signHash(
        {
          credentialId: 'officer1-p384',
          hashes: [createHash('sha384').update('x').digest('base64')],
          hashAlgorithmOid: '2.16.840.1.101.3.4.2.2',
          signAlgo: '1.2.840.10045.4.3.3',
        },
        { accessToken: token },
      )
      .catch((e) => e);
    expect(isEsignError(err, 'ERR_ESIGN_CSC_HASH_MISMATCH')).toBe(true);
  });

  it("a token the other officer approved for their own credential cannot sign with this officer's", async () => {
    const hash = b64('someone else');
    const token = await tokenFor('officer1-rsa', [hash], world.otherOfficer.citizenId);
    expect(
      isEsignError(await signHash('officer1-rsa', [hash], token).catch((e) => e), 'ERR_ESIGN_CSC_CREDENTIAL'),
    ).toBe(true);
  });

  it('a token is spent by its signHash: the same request again is refused', async () => {
    const hash = b64('once only');
    const token = await tokenFor('officer1-rsa', [hash]);
    expect(await signHash('officer1-rsa', [hash], token)).toHaveLength(1);
    expect(
      isEsignError(
        await signHash('officer1-rsa', [hash], token).catch((e) => e),
        'ERR_ESIGN_CSC_SAD_EXPIRED',
      ),
    ).toBe(true);
  });

  it('a service-scope token without a SAD signs nothing', async () => {
    const service = await loginForToken(world, world.officer.citizenId, 'openid service');
    expect(
      isEsignError(
        await signHash('officer1-rsa', [b64('no approval')], service).catch((e) => e),
        'ERR_ESIGN_CSC_AUTH',
      ),
    ).toBe(true);
  });
});
