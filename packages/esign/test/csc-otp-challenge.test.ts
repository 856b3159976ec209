import { createHash, generateKeyPairSync, randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CscClient, cscSigner, isEsignError, type SignatureAlgorithm, signDigest } from '../src/index.js';
import { issueOfficerCertificate } from './helpers/certificate.js';

/**
 * How the OTP of an explicit credential is asked for. CSC v2.0.0.2 has `credentials/getChallenge` (the
 * reference's method list) and no `credentials/sendOTP`, which is v1.0.4's name. A v2 service answers the v1
 * name as an unknown method; a v1 service answers the v2 name so. The client speaks v2 and falls back to v1's
 * name only when the service does not know v2's. Real HTTP on 127.0.0.1, one server per protocol version.
 */

const ALGORITHM: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
const ISSUER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const OFFICER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PIN = '246810';

type Version = 'v2' | 'v1';
let version: Version = 'v2';
let unknownAs: [number, string, string] = [404, 'application/json', '{"error":"invalid_request"}'];
let otp: string | undefined;
const paths: string[] = [];
let server: Server;
let url: string;
let certificate: string;

function answer(path: string, body: Record<string, unknown>): [number, unknown] | undefined {
  const method = path.replace(/^\/csc\/v2\//, '');
  if (method === 'credentials/info')
    return [
      200,
      {
        key: { status: 'enabled', algo: ['1.2.840.10045.2.1', '1.2.840.10045.4.3.2'], len: 256 },
        cert: { status: 'valid', certificates: [certificate] },
        auth: {
          mode: 'explicit',
          expression: 'PIN AND OTP',
          objects: [
            { type: 'Password', id: 'PIN', format: 'N' },
            { type: 'Password', id: 'OTP', format: 'N', generator: 'sms' },
          ],
        },
        SCAL: '2',
        multisign: 5,
      },
    ];
  const challenge = version === 'v2' ? 'credentials/getChallenge' : 'credentials/sendOTP';
  if (method === challenge) {
    if (body.credentialID !== 'officer') return [400, { error: 'invalid_request' }];
    otp = String(randomInt(100_000, 1_000_000));
    return [200, {}];
  }
  if (method === 'credentials/authorize') {
    const authData = (body.authData ?? []) as Array<{ id: string; value: string }>;
    const given = (id: string) => authData.find((a) => a.id === id)?.value;
    if (given('PIN') !== PIN || !otp || given('OTP') !== otp)
      return [400, { error: 'invalid_request', error_description: 'The OTP is invalid' }];
    otp = undefined;
    return [200, { SAD: 'sad-otp-challenge-1', expiresIn: 300 }];
  }
  if (method === 'signatures/signHash') {
    const sign = (h: string) =>
      Buffer.from(signDigest(OFFICER.privateKey, Buffer.from(h, 'base64'), ALGORITHM)).toString('base64');
    return [200, { signatures: (body.hashes as string[]).map(sign) }];
  }
  return undefined;
}

beforeAll(async () => {
  certificate = Buffer.from(issueOfficerCertificate(ISSUER, OFFICER).der).toString('base64');
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      const out = answer(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      if (!out) {
        const [status, type, text] = unknownAs;
        res.writeHead(status, { 'content-type': type }).end(text);
        return;
      }
      res.writeHead(out[0], { 'content-type': 'application/json' }).end(JSON.stringify(out[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/csc/v2`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  version = 'v2';
  unknownAs = [404, 'application/json', '{"error":"invalid_request","error_description":"Unknown method"}'];
  otp = undefined;
  paths.length = 0;
});

async function signOnce(): Promise<Uint8Array> {
  const signer = await cscSigner({
    serviceUrl: url,
    credentialId: 'officer',
    auth: { serviceToken: 'service-token-otp-challenge', authData: async () => ({ PIN, OTP: otp ?? '' }) },
    retry: false,
  });
  try {
    return await signer.sign(new Uint8Array(createHash('sha256').update('letter').digest()), ALGORITHM);
  } finally {
    await signer.close?.();
  }
}

describe('the OTP of an explicit credential: credentials/getChallenge (v2), credentials/sendOTP (v1)', () => {
  it('a v2.0.0.2 service (getChallenge, no sendOTP): the OTP is asked for with getChallenge and the signature is made', async () => {
    expect((await signOnce()).byteLength).toBeGreaterThan(60);
    expect(paths).toContain('/csc/v2/credentials/getChallenge');
    expect(paths).not.toContain('/csc/v2/credentials/sendOTP');
  });

  it('a v1.0.4 service (sendOTP only, getChallenge unknown as HTTP 404 or 405): falls back to sendOTP', async () => {
    version = 'v1';
    for (const unknown of [
      [404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>'],
      [405, 'application/json', '{"error":"invalid_request"}'],
    ] as Array<[number, string, string]>) {
      unknownAs = unknown;
      paths.length = 0;
      expect((await signOnce()).byteLength).toBeGreaterThan(60);
      expect(paths.filter((p) => /getChallenge|sendOTP/.test(p))).toEqual([
        '/csc/v2/credentials/getChallenge',
        '/csc/v2/credentials/sendOTP',
      ]);
    }
  });

  it('a getChallenge the service refuses for a reason of its own is not retried under the v1 name', async () => {
    const client = new CscClient({ serviceUrl: url, retry: false });
    const err = await client.sendOtp('someone-else', { accessToken: 'service-token-otp-challenge' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    expect(isEsignError(err) && err.code).toBe('ERR_ESIGN_CSC_REQUEST');
    expect(paths).toEqual(['/csc/v2/credentials/getChallenge']);
  });
});
