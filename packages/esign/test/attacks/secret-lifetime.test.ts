import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactText, secretRegistryStats } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cscSigner, pkcs11Signer, type SignatureAlgorithm, signDigest } from '../../src/index.js';
import { issueOfficerCertificate } from '../helpers/certificate.js';

/**
 * Secrets pinned for ever: every remote signature brings short-lived secrets (the SAD, the one-time password
 * the officer typed). Registered as long-lived credentials they were never released, so a signing service
 * that runs for weeks grew the pinned pool (which no bound may evict) by two entries per signature, and
 * every log line paid to scan them. They are now held for their lifetime in the bounded pools, and masked
 * while they live. The signer's own long-lived secrets (a fixed service token, a PKCS#11 PIN) are held for the
 * signer's life and released by close() or a failed open, not pinned once per signer ever made. The service here is real HTTP on 127.0.0.1 answering as an honest CSC service would.
 */

const ALGORITHM: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
const ISSUER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const OFFICER = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let server: Server;
let url: string;
const sads: string[] = [];

function answer(path: string, body: Record<string, unknown>, certificate: string): [number, unknown] {
  if (path.endsWith('/credentials/info'))
    return [
      200,
      {
        key: { status: 'enabled', algo: ['1.2.840.10045.2.1', '1.2.840.10045.4.3.2'], len: 256 },
        cert: { status: 'valid', certificates: [certificate] },
        auth: { mode: 'explicit', objects: [{ type: 'Password', id: 'OTP', format: 'A' }] },
        SCAL: '2',
        multisign: 5,
      },
    ];
  if (path.endsWith('/credentials/sendOTP')) return [200, {}];
  if (path.endsWith('/credentials/authorize')) {
    const sad = `sad-${randomUUID()}`;
    sads.push(sad);
    return [200, { SAD: sad, expiresIn: 300 }];
  }
  if (path.endsWith('/signatures/signHash')) {
    const hashes = body.hashes as string[];
    const sign = (h: string) =>
      Buffer.from(signDigest(OFFICER.privateKey, Buffer.from(h, 'base64'), ALGORITHM)).toString('base64');
    return [200, { signatures: hashes.map(sign) }];
  }
  return [404, { error: 'invalid_request' }];
}

beforeAll(async () => {
  const cert = issueOfficerCertificate(ISSUER, OFFICER);
  const certificate = Buffer.from(cert.der).toString('base64');
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      const [status, body] = answer(req.url ?? '', parsed, certificate);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/csc/v2`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('secrets of a remote signature are held for their lifetime, not pinned', () => {
  it('signing many times leaves the pinned pool as it was; the SAD and OTP are masked while they live', async () => {
    const otps: string[] = [];
    const signer = await cscSigner({
      serviceUrl: url,
      credentialId: 'officer',
      auth: {
        serviceToken: `service-token-${randomUUID()}`,
        authData: async () => {
          otps.push(`otp-${randomUUID()}`);
          return { OTP: otps.at(-1) as string };
        },
      },
      retry: false,
    });
    const pinned = secretRegistryStats().credentials;
    for (let i = 0; i < 30; i++) {
      const digest = new Uint8Array(createHash('sha256').update(`document ${i}`).digest());
      expect((await signer.sign(digest, ALGORITHM)).byteLength).toBeGreaterThan(60);
    }
    expect(sads).toHaveLength(30);
    expect(otps).toHaveLength(30);
    // Two short-lived secrets per signature, none of them pinned.
    expect(secretRegistryStats().credentials).toBe(pinned);
    const last = `authorize answered ${sads.at(-1)} for ${otps.at(-1)}`;
    expect(redactText(last)).not.toContain(sads.at(-1));
    expect(redactText(last)).not.toContain(otps.at(-1));
    await signer.close?.();
  });

  it('a fixed service token is released when its signer closes, or fails to open', async () => {
    const pinned = secretRegistryStats().credentials;
    for (let i = 0; i < 10; i++) {
      const serviceToken = `service-token-${randomUUID()}`;
      const signer = await cscSigner({
        serviceUrl: url,
        credentialId: 'officer',
        auth: { serviceToken, authData: async () => ({ OTP: `otp-${randomUUID()}` }) },
        retry: false,
      });
      expect(redactText(serviceToken)).not.toContain(serviceToken);
      await signer.close?.();
      // Unpinned: what stays is the TTL registration of the token as sent on calls (bounded, it expires).
      expect(secretRegistryStats().credentials).toBe(pinned);
      // Refused before any call: the token it was given is not kept either.
      await expect(
        cscSigner({ serviceUrl: 'not a url', credentialId: 'officer', auth: { serviceToken } }),
      ).rejects.toThrow(/serviceUrl/);
    }
    expect(secretRegistryStats().credentials).toBe(pinned);
  });

  it('a PKCS#11 PIN is released when the signer fails to open', async () => {
    const pinned = secretRegistryStats().credentials;
    for (let i = 0; i < 10; i++) {
      const pin = `pin-${randomUUID()}`;
      await expect(
        pkcs11Signer({ library: `/nonexistent/${randomUUID()}.so`, tokenLabel: 't', keyLabel: 'k', pin }),
      ).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) });
    }
    expect(secretRegistryStats().credentials).toBe(pinned);
  });
});
