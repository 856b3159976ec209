import { createHash } from 'node:crypto';
import { CscClient, isEsignError } from '@thgov/esign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CscWorld, loginForToken, sadFor, startCscWorld } from '../helpers/csc.js';

/**
 * SAD replay: signature activation data captured from one transaction (a log, a proxy) is sent again to
 * sign more. A SAD is single-use whatever the outcome, bound to its officer, and dies when it expires.
 */
const SHA256 = '2.16.840.1.101.3.4.2.1';
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const b64 = (text: string) => createHash('sha256').update(text).digest('base64');

let world: CscWorld;
let client: CscClient;
let serviceToken: string;
let otherToken: string;

beforeAll(async () => {
  world = await startCscWorld();
  client = new CscClient({ serviceUrl: world.csc.url });
  serviceToken = await loginForToken(world, world.officer.citizenId, 'openid service');
  otherToken = await loginForToken(world, world.otherOfficer.citizenId, 'openid service');
}, 60_000);
afterAll(async () => {
  await client?.close();
  await world?.close();
});

const authorise = (hashes: string[]) => sadFor(world, client, serviceToken, hashes);

const signHash = (sad: string, hash: string, accessToken = serviceToken) =>
  client.signHash(
    { credentialId: 'officer1-p256', sad, hashes: [hash], hashAlgorithmOid: SHA256, signAlgo: ECDSA_SHA256 },
    { accessToken },
  );

describe('SAD replay', () => {
  it('a used SAD signs nothing more, not even the same hash again', async () => {
    const hash = b64('one letter');
    const sad = await authorise([hash]);
    expect(await signHash(sad, hash)).toHaveLength(1);
    expect(isEsignError(await signHash(sad, hash).catch((e) => e), 'ERR_ESIGN_CSC_SAD_EXPIRED')).toBe(true);
  });

  it('a SAD burnt by a refused attempt cannot be retried with the right hash', async () => {
    const hash = b64('second letter');
    const sad = await authorise([hash]);
    await signHash(sad, b64('not this one')).catch(() => undefined);
    expect(isEsignError(await signHash(sad, hash).catch((e) => e), 'ERR_ESIGN_CSC_SAD_EXPIRED')).toBe(true);
  });

  it("another officer's session cannot spend a stolen SAD", async () => {
    const hash = b64('third letter');
    const sad = await authorise([hash]);
    const err = await signHash(sad, hash, otherToken).catch((e) => e);
    expect(isEsignError(err)).toBe(true);
    expect((err as { code: string }).code).not.toBe('ERR_NETWORK');
    // …and the stolen attempt burnt it for everyone.
    expect(isEsignError(await signHash(sad, hash).catch((e) => e), 'ERR_ESIGN_CSC_SAD_EXPIRED')).toBe(true);
  });

  it('an expired SAD is refused', async () => {
    const hash = b64('fourth letter');
    const sad = await authorise([hash]);
    world.csc.expireAuthorizations();
    expect(isEsignError(await signHash(sad, hash).catch((e) => e), 'ERR_ESIGN_CSC_SAD_EXPIRED')).toBe(true);
  });

  it('a replayed OTP authorises nothing a second time', async () => {
    const hash = b64('fifth letter');
    await client.sendOtp('officer1-p256', { accessToken: serviceToken });
    const authData = [
      { id: 'PIN', value: world.csc.officers[0]?.pin ?? '' },
      { id: 'OTP', value: world.csc.lastOtp('officer1-p256') ?? '' },
    ];
    const input = {
      credentialId: 'officer1-p256',
      numSignatures: 1,
      hashes: [hash],
      hashAlgorithmOid: SHA256,
      authData,
    };
    await client.authorize(input, { accessToken: serviceToken });
    expect(
      isEsignError(
        await client.authorize(input, { accessToken: serviceToken }).catch((e) => e),
        'ERR_ESIGN_CSC_PIN',
      ),
    ).toBe(true);
  });
});
