import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cscSigner,
  isEsignError,
  type SignatureAlgorithm,
  signDigest,
  signPdf,
  verifyPdfSignatures,
} from '../src/index.js';
import { issueCertificate, type TestCertificate } from './helpers/certificate.js';
import { letterPdf } from './helpers/pki.js';

/**
 * Digest negotiation with a CSC service. `credentials/info` lists the signature algorithms a credential signs
 * with (`key/algo`); many list digest-specific OIDs only (sha256WithRSAEncryption, ecdsa-with-SHA384). A digest
 * the credential does not offer must be refused before the officer is sent an OTP and types a PIN (a service
 * refuses signHash only after the authorisation is spent), and signPdf without a `digestAlgorithm` signs over
 * a digest the credential offers. A strict service on 127.0.0.1: signHash refuses a `signAlgo` not in `algo`.
 */

const SHA256_RSA = '1.2.840.113549.1.1.11';
const RSA = '1.2.840.113549.1.1.1';
const ECDSA_SHA384 = '1.2.840.10045.4.3.3';
const DIGEST_OIDS: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const CA = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KEYS = {
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
};
const TOKEN = 'service-token-negotiation-3c1f';
const PIN = '5520417';

let server: Server;
let url: string;
let root: TestCertificate;
const leaves = {} as Record<keyof typeof KEYS, TestCertificate>;
let credential: { key: keyof typeof KEYS; algo: string[] } = { key: 'rsa', algo: [SHA256_RSA] };
const calls: string[] = [];
let pinsAsked = 0;

function signAll(key: KeyObject, body: Record<string, unknown>): string[] {
  const digest = DIGEST_OIDS[String(body.hashAlgorithmOID)] ?? 'SHA-256';
  const algorithm: SignatureAlgorithm = {
    scheme: credential.key === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'ECDSA',
    digest,
  };
  return (body.hashes as string[]).map((h) =>
    Buffer.from(signDigest(key, new Uint8Array(Buffer.from(h, 'base64')), algorithm)).toString('base64'),
  );
}

function answer(method: string, body: Record<string, unknown>): [number, unknown] {
  if (method === 'credentials/info') {
    const leaf = leaves[credential.key];
    return [
      200,
      {
        key: {
          status: 'enabled',
          algo: credential.algo,
          len: credential.key === 'rsa' ? 2048 : 384,
          ...(credential.key === 'p384' ? { curve: '1.3.132.0.34' } : {}),
        },
        cert: {
          status: 'valid',
          certificates: [leaf.der, root.der].map((d) => Buffer.from(d).toString('base64')),
        },
        auth: {
          mode: 'explicit',
          objects: [
            { type: 'Password', id: 'PIN', format: 'N' },
            { type: 'Password', id: 'OTP', format: 'N' },
          ],
        },
        SCAL: '2',
        multisign: 5,
      },
    ];
  }
  if (method === 'credentials/getChallenge') return [200, {}];
  if (method === 'credentials/authorize')
    return [200, { SAD: `sad-negotiation-${calls.length}`, expiresIn: 300 }];
  if (method === 'signatures/signHash') {
    if (!credential.algo.includes(String(body.signAlgo)))
      return [400, { error: 'invalid_request', error_description: 'Invalid parameter signAlgo' }];
    return [200, { signatures: signAll(KEYS[credential.key].privateKey, body) }];
  }
  return [404, { error: 'invalid_request', error_description: 'Unknown method' }];
}

beforeAll(async () => {
  root = issueCertificate({
    subject: 'Negotiation CA',
    publicKey: CA.publicKey,
    signingKey: CA.privateKey,
    serial: 1,
    ca: true,
  });
  for (const [name, pair] of Object.entries(KEYS)) {
    leaves[name as keyof typeof KEYS] = issueCertificate({
      subject: `Officer ${name}`,
      publicKey: pair.publicKey,
      issuer: root,
      signingKey: CA.privateKey,
      serial: 2,
    });
  }
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/csc\/v2\//, '');
      calls.push(method);
      const [status, out] = answer(method, JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/csc/v2`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
  pinsAsked = 0;
});

const open = () =>
  cscSigner({
    serviceUrl: url,
    credentialId: 'officer',
    auth: {
      serviceToken: TOKEN,
      authData: async () => {
        pinsAsked++;
        return { PIN, OTP: '123456' };
      },
    },
    retry: false,
  });

/** Nothing that costs the officer an OTP or a PIN happened. */
function noAuthorisationSpent(): void {
  expect(calls.filter((c) => c !== 'credentials/info')).toEqual([]);
  expect(pinsAsked).toBe(0);
}

describe('CSC: which digest the credential signs over', () => {
  it('sha256WithRSAEncryption only, asked for SHA-384: ERR_ESIGN_ALGORITHM naming SHA-256, before any OTP or PIN', async () => {
    credential = { key: 'rsa', algo: [SHA256_RSA] };
    const signer = await open();
    try {
      const digest = new Uint8Array(createHash('sha384').update('letter').digest());
      const err = await signer
        .signMany([digest], { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-384' })
        .catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_ESIGN_ALGORITHM')).toBe(true);
      expect((err as Error).message).toContain('SHA-256');
      noAuthorisationSpent();
    } finally {
      await signer.close();
    }
  });

  it('signPdf with digestAlgorithm SHA-512 on that credential: ERR_ESIGN_ALGORITHM, no OTP sent', async () => {
    credential = { key: 'rsa', algo: [SHA256_RSA] };
    const signer = await open();
    try {
      const err = await signPdf(await letterPdf(), {
        signer,
        skipChainCheck: true,
        digestAlgorithm: 'SHA-512',
      }).catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_ESIGN_ALGORITHM')).toBe(true);
      noAuthorisationSpent();
    } finally {
      await signer.close();
    }
  });

  it('a P-384 credential listing ecdsa-with-SHA384 only: signPdf (no digestAlgorithm) signs over SHA-384 and verifies', async () => {
    credential = { key: 'p384', algo: [ECDSA_SHA384] };
    const signer = await open();
    try {
      expect(signer.digests).toEqual(['SHA-384']);
      const signed = await signPdf(await letterPdf(), { signer, skipChainCheck: true });
      expect(calls.filter((c) => c === 'signatures/signHash')).toHaveLength(1);
      const report = await verifyPdfSignatures(signed, { trustAnchors: [root.der] });
      expect(report.signatures[0]?.checks.filter((c) => c.status === 'FAILED')).toEqual([]);
      expect(JSON.stringify(report.signatures[0])).toContain('SHA-384');
    } finally {
      await signer.close();
    }
  });

  it('guard: a credential listing the key-type OID (rsaEncryption) signs any digest, sent with hashAlgorithmOID', async () => {
    credential = { key: 'rsa', algo: [RSA] };
    const signer = await open();
    try {
      expect(signer.digests).toEqual(['SHA-256', 'SHA-384', 'SHA-512']);
      const signed = await signPdf(await letterPdf(), {
        signer,
        skipChainCheck: true,
        digestAlgorithm: 'SHA-512',
      });
      const report = await verifyPdfSignatures(signed, { trustAnchors: [root.der] });
      expect(report.signatures[0]?.checks.filter((c) => c.status === 'FAILED')).toEqual([]);
    } finally {
      await signer.close();
    }
  });
});
