import { constants, createHash, verify, X509Certificate } from 'node:crypto';
import { inspect } from 'node:util';
import {
  type CscAuthDataRequest,
  CscClient,
  type CscCredentialTokenRequest,
  cscSigner,
  isEsignError,
  type SignatureAlgorithm,
  type Signer,
} from '@thgov/esign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CscWorld, credentialTokenFor, loginForToken, startCscWorld } from './helpers/csc.js';

const nodeHash = (a: SignatureAlgorithm) => a.digest.replace('-', '').toLowerCase();
const digestOf = (data: string, a: SignatureAlgorithm) =>
  new Uint8Array(createHash(nodeHash(a)).update(data).digest());

/** node:crypto's own verdict, over the document, with the public key of the certificate the signer reports. */
function verifies(signer: Signer, data: string, a: SignatureAlgorithm, signature: Uint8Array): boolean {
  const key = new X509Certificate(signer.certificateChain[0] as Uint8Array).publicKey;
  if (a.scheme === 'RSA-PSS') {
    const saltLength = digestOf(data, a).length;
    return verify(
      nodeHash(a),
      Buffer.from(data),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
      signature,
    );
  }
  if (a.scheme === 'ECDSA')
    return verify(nodeHash(a), Buffer.from(data), { key, dsaEncoding: 'der' }, signature);
  return verify(nodeHash(a), Buffer.from(data), key, signature);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

let world: CscWorld;
let serviceToken: string;
const signers: Signer[] = [];

beforeAll(async () => {
  world = await startCscWorld();
  serviceToken = await loginForToken(world, world.officer.citizenId, 'openid service');
}, 60_000);

afterAll(async () => {
  for (const s of signers) await s.close?.();
  await world?.close();
});

/** PIN and the OTP the sandbox "sent", as an officer would type them. */
function typedByOfficer(pin: string | undefined, calls: CscAuthDataRequest[] = []) {
  return async (request: CscAuthDataRequest) => {
    calls.push(request);
    const res = await fetch(`${world.csc.url}/sandbox/otp/${request.credentialId}`);
    const { otp } = (await res.json()) as { otp: string };
    return { PIN: pin ?? '', OTP: otp };
  };
}

const pinOf = () => world.csc.officers[0]?.pin as string;

async function open(
  credentialId: string,
  auth: Partial<Parameters<typeof cscSigner>[0]['auth']>,
  extra = {},
) {
  const signer = await cscSigner({
    serviceUrl: world.csc.url,
    credentialId,
    auth: { serviceToken, ...auth },
    ...extra,
  });
  signers.push(signer);
  return signer;
}

describe('the CSC service and cscSigner, end to end', () => {
  it('info needs no token and advertises the methods and the PKI (TSA, OCSP, CRLs) for B-T/B-LT', async () => {
    const client = new CscClient({ serviceUrl: world.csc.url });
    const info = await client.info();
    await client.close();
    expect(info.specs).toBe('2.0.0.2');
    expect(info.methods).toEqual(expect.arrayContaining(['credentials/authorize', 'signatures/signHash']));
    const pki = (info as Record<string, unknown>)['x-thgov-pki'] as Record<string, string>;
    expect(pki.tsa).toBe(`${world.pki.url}/tsa`);
    const ocsp = await fetch(pki.ocsp as string, { method: 'POST', body: new Uint8Array([1, 2]) });
    expect(ocsp.headers.get('content-type')).toBe('application/ocsp-response');
  });

  it('credentials/list shows the officer only their own credentials', async () => {
    const client = new CscClient({ serviceUrl: world.csc.url });
    const mine = await client.listCredentials({ credentialInfo: true }, { accessToken: serviceToken });
    expect(mine.credentialIDs).toEqual(world.csc.officers[0]?.credentialIds);
    expect(mine.credentialInfos?.find((c) => c.credentialID === 'officer1-revoked')?.cert?.status).toBe(
      'revoked',
    );
    const theirs = await client.credentialInfo('officer2-rsa', { accessToken: serviceToken }).catch((e) => e);
    expect(isEsignError(theirs, 'ERR_ESIGN_CSC_CREDENTIAL')).toBe(true);
    const noToken = await client
      .listCredentials({}, { accessToken: 'not-a-real-token-at-all' })
      .catch((e) => e);
    expect(isEsignError(noToken, 'ERR_ESIGN_CSC_AUTH')).toBe(true);
    await client.close();
  });

  const digitalId: Array<[string, SignatureAlgorithm]> = [
    ['officer1-rsa', { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' }],
    ['officer1-rsa', { scheme: 'RSA-PSS', digest: 'SHA-256' }],
    ['officer1-rsa', { scheme: 'RSA-PSS', digest: 'SHA-512' }],
    ['officer1-p384', { scheme: 'ECDSA', digest: 'SHA-384' }],
  ];
  for (const [credentialId, algorithm] of digitalId) {
    it(`${credentialId} authorised at digital ID: ${algorithm.scheme} ${algorithm.digest} verifies with the certificate`, async () => {
      const calls: CscCredentialTokenRequest[] = [];
      const signer = await open(credentialId, {
        credentialToken: credentialTokenFor(world, world.officer.citizenId, calls),
      });
      const data = `หนังสือ ${credentialId} ${algorithm.scheme}`;
      const signature = await signer.sign(digestOf(data, algorithm), algorithm);
      expect(verifies(signer, data, algorithm, signature)).toBe(true);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.authorizationDetails[0]?.documentDigests[0]?.hash).toBe(
        Buffer.from(digestOf(data, algorithm)).toString('base64'),
      );
      expect(signer.certificateChain).toHaveLength(2);
    });
  }

  it('officer1-p256 authorised with PIN + OTP: ECDSA P-256 verifies; the OTP was sent first', async () => {
    const calls: CscAuthDataRequest[] = [];
    const signer = await open('officer1-p256', { authData: typedByOfficer(pinOf(), calls) });
    const algorithm: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    const signature = await signer.sign(digestOf('letter', algorithm), algorithm);
    expect(verifies(signer, 'letter', algorithm, signature)).toBe(true);
    expect(calls[0]).toMatchObject({ needs: ['PIN', 'OTP'], otpSent: true, numSignatures: 1 });
  });

  it('the OTP is sent by v2.0.0.2 credentials/getChallenge; v1.0.4 credentials/sendOTP is an unknown method', async () => {
    const client = new CscClient({ serviceUrl: world.csc.url });
    const info = await client.info();
    expect(info.methods).toContain('credentials/getChallenge');
    expect(info.methods).not.toContain('credentials/sendOTP');
    const post = (method: string) =>
      fetch(`${world.csc.url}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
        body: JSON.stringify({ credentialID: 'officer1-p256' }),
      });
    const before = world.csc.lastOtp('officer1-p256');
    expect((await post('credentials/sendOTP')).status).toBe(404);
    expect(world.csc.lastOtp('officer1-p256')).toBe(before);
    const challenge = await post('credentials/getChallenge');
    expect(challenge.status).toBe(200);
    expect(world.csc.lastOtp('officer1-p256')).toMatch(/^\d{6}$/);
    expect(world.csc.lastOtp('officer1-p256')).not.toBe(before);
    // CscClient.sendOtp asks by the v2 name.
    await client.sendOtp('officer1-p256', { accessToken: serviceToken });
    await client.close();
  });

  it('a batch of 3 documents is authorised once (numSignatures 3) and signed in one signHash', async () => {
    const calls: CscCredentialTokenRequest[] = [];
    const signer = await open('officer1-rsa', {
      credentialToken: credentialTokenFor(world, world.officer.citizenId, calls),
    });
    const algorithm: SignatureAlgorithm = { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' };
    const docs = ['letter one', 'letter two', 'letter three'];
    const signatures = await signer.signMany?.(
      docs.map((d) => digestOf(d, algorithm)),
      algorithm,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]?.numSignatures).toBe(3);
    expect(signatures?.map((s, i) => verifies(signer, docs[i] as string, algorithm, s))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('a SAD that expired before signHash is not reused: the signer authorises again (PIN + OTP asked twice)', async () => {
    const calls: CscAuthDataRequest[] = [];
    let expired = false;
    const signer = await open(
      'officer1-p256',
      { authData: typedByOfficer(pinOf(), calls) },
      {
        // The officer is slow: the SAD runs out between credentials/authorize and signatures/signHash, once.
        onResponse: (info: { url: string }) => {
          if (!expired && info.url.endsWith('/credentials/authorize')) {
            expired = true;
            world.csc.expireAuthorizations();
          }
        },
      },
    );
    const algorithm: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    const signature = await signer.sign(digestOf('late letter', algorithm), algorithm);
    expect(verifies(signer, 'late letter', algorithm, signature)).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('a wrong PIN or a wrong OTP is ERR_ESIGN_CSC_PIN, and neither appears in the error', async () => {
    const wrongPin = await open('officer1-p256', { authData: typedByOfficer('000000111') });
    const algorithm: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    const err = await rejection(wrongPin.sign(digestOf('x', algorithm), algorithm));
    expect(isEsignError(err, 'ERR_ESIGN_CSC_PIN')).toBe(true);
    expect(`${inspect(err, { depth: 6 })}${JSON.stringify(err)}`).not.toContain('000000111');
    const wrongOtp = await open('officer1-p256', {
      authData: async () => ({ PIN: pinOf(), OTP: '1234567' }),
    });
    expect(
      isEsignError(await rejection(wrongOtp.sign(digestOf('x', algorithm), algorithm)), 'ERR_ESIGN_CSC_PIN'),
    ).toBe(true);
  });

  it('a revoked or expired credential is refused by the signer before any authorisation, and by the service', async () => {
    for (const id of ['officer1-revoked', 'officer1-expired']) {
      const err = await rejection(
        open(id, { authData: typedByOfficer(pinOf()), credentialToken: async () => 'unused' }),
      );
      expect(isEsignError(err, 'ERR_ESIGN_CSC_CREDENTIAL')).toBe(true);
    }
    // A client that ignores the certificate status still gets no SAD.
    const client = new CscClient({ serviceUrl: world.csc.url });
    await client.sendOtp('officer1-revoked', { accessToken: serviceToken });
    const err = await client
      .authorize(
        {
          credentialId: 'officer1-revoked',
          numSignatures: 1,
          hashes: [Buffer.alloc(32, 1).toString('base64')],
          hashAlgorithmOid: '2.16.840.1.101.3.4.2.1',
          authData: [
            { id: 'PIN', value: pinOf() },
            { id: 'OTP', value: world.csc.lastOtp('officer1-revoked') ?? '' },
          ],
        },
        { accessToken: serviceToken },
      )
      .catch((e) => e);
    await client.close();
    expect(isEsignError(err, 'ERR_ESIGN_CSC_CREDENTIAL')).toBe(true);
  });

  it('a credential authorised another way than the signer was given is ERR_ESIGN_CSC_AUTH_MODE', async () => {
    const err = await rejection(open('officer1-rsa', { authData: typedByOfficer(pinOf()) }));
    expect(isEsignError(err, 'ERR_ESIGN_CSC_AUTH_MODE')).toBe(true);
  });

  it('the digital-ID provider refuses malformed credential authorization details', async () => {
    const err = await rejection(
      loginForToken(world, world.officer.citizenId, 'openid credential', [
        {
          type: 'credential',
          credentialID: 'officer1-rsa',
          documentDigests: [{ hash: 'not base64!' }],
          hashAlgorithmOID: '1.3.14.3.2.26',
        },
      ]),
    );
    expect(String((err as Error).message)).toMatch(/invalid_authorization_details/);
  });
});
