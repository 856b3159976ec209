import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cscSigner, isEsignError, type SignatureAlgorithm, signDigest } from '../../src/index.js';
import { issueOfficerCertificate, type TestCertificate } from '../helpers/certificate.js';

/**
 * Signature substitution by the signing service itself (compromised, or a proxy in front of it): the
 * signatures it returns are not the certificate key's over the digests sent — another key's, another
 * document's, too few, or it keeps answering "SAD expired" to make the client re-send. The sandbox's honest
 * service cannot produce these, so this crafted one does; the signer must hand out none of them.
 */
type Behaviour = 'honest' | 'other-key' | 'other-digest' | 'too-few' | 'always-expired';

const ALGORITHM: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
const ISSUER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const OFFICER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const STRANGER = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let server: Server;
let url: string;
let behaviour: Behaviour = 'honest';
let cert: TestCertificate;
const seenSads: string[] = [];
let counter = 0;

function sign(key: KeyObject, b64: string): string {
  return Buffer.from(signDigest(key, new Uint8Array(Buffer.from(b64, 'base64')), ALGORITHM)).toString(
    'base64',
  );
}

function answer(path: string, body: Record<string, unknown>): [number, unknown] {
  if (path.endsWith('/credentials/info')) {
    return [
      200,
      {
        key: {
          status: 'enabled',
          algo: ['1.2.840.10045.2.1', '1.2.840.10045.4.3.2'],
          len: 256,
          curve: '1.2.840.10045.3.1.7',
        },
        cert: { status: 'valid', certificates: [Buffer.from(cert.der).toString('base64')] },
        auth: { mode: 'explicit', objects: [{ type: 'Password', id: 'PIN', format: 'N' }] },
        SCAL: '2',
        multisign: 5,
      },
    ];
  }
  if (path.endsWith('/credentials/authorize'))
    return [200, { SAD: `sad-${++counter}-value`, expiresIn: 300 }];
  if (path.endsWith('/signatures/signHash')) {
    seenSads.push(String(body.SAD));
    const hashes = body.hashes as string[];
    if (behaviour === 'always-expired')
      return [400, { error: 'invalid_request', error_description: 'SAD expired' }];
    const signatures =
      behaviour === 'other-key'
        ? hashes.map((h) => sign(STRANGER.privateKey, h))
        : behaviour === 'other-digest'
          ? hashes.map(() =>
              sign(
                OFFICER.privateKey,
                createHash('sha256').update('a document nobody approved').digest('base64'),
              ),
            )
          : behaviour === 'too-few'
            ? hashes.slice(1).map((h) => sign(OFFICER.privateKey, h))
            : hashes.map((h) => sign(OFFICER.privateKey, h));
    return [200, { signatures }];
  }
  return [404, { error: 'invalid_request' }];
}

beforeAll(async () => {
  cert = issueOfficerCertificate(ISSUER, OFFICER);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, body] = answer(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/csc/v2`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

const open = () =>
  cscSigner({
    serviceUrl: url,
    credentialId: 'officer',
    auth: { serviceToken: 'service-token-for-tests', authData: async () => ({ PIN: '24681357' }) },
    retry: false,
  });
const digest = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());

describe('signature substitution by the signing service', () => {
  it('the honest answer passes (the refusals below are the checks, not a broken client)', async () => {
    behaviour = 'honest';
    const signer = await open();
    const [a, b] = (await signer.signMany?.([digest('a'), digest('b')], ALGORITHM)) ?? [];
    expect(a?.length).toBeGreaterThan(60);
    expect(b?.length).toBeGreaterThan(60);
    await signer.close?.();
  });

  for (const b of ['other-key', 'other-digest', 'too-few'] as const) {
    it(`${b}: ERR_ESIGN_CSC_RESPONSE, no signature handed out`, async () => {
      behaviour = b;
      const signer = await open();
      const err = await signer.signMany?.([digest('x'), digest('y')], ALGORITHM).catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_ESIGN_CSC_RESPONSE')).toBe(true);
      await signer.close?.();
    });
  }

  it('a service that keeps answering "SAD expired" gets one fresh authorisation, never the same SAD twice', async () => {
    behaviour = 'always-expired';
    seenSads.length = 0;
    const signer = await open();
    const err = await signer.sign(digest('z'), ALGORITHM).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_CSC_SAD_EXPIRED')).toBe(true);
    expect(seenSads).toHaveLength(2);
    expect(new Set(seenSads).size).toBe(2);
    await signer.close?.();
  });
});
