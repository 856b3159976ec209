import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificate,
  createOcspResponse,
  generateSigningKeyPair,
  issueTranscript,
  verifyTranscript,
} from '../src/index.js';
import { SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
let server: Server;
let base = '';
let mode: 'good' | 'revoked' | 'hang' = 'good';
let hits = 0;
let signerCert: Uint8Array;
let signerKey: Awaited<ReturnType<typeof generateSigningKeyPair>>['privateKey'];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (mode === 'hang') return; // never answers: the client timeout must fire
    req.resume();
    req.on('end', async () => {
      if (req.url === '/ocsp') {
        const body = await createOcspResponse({
          certificate: signerCert,
          issuerCertificate: pki.ca.cert,
          responderCertificate: pki.ca.cert,
          responderKey: pki.ca.key,
          status: mode === 'revoked' ? 'revoked' : 'good',
          revokedAt: new Date(pki.now.getTime() - 3_600_000),
          thisUpdate: new Date(Date.now() - 60_000),
          nextUpdate: new Date(Date.now() + 3_600_000),
        });
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(body));
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kp = await generateSigningKeyPair();
  signerKey = kp.privateKey;
  signerCert = await createCertificate({
    subject: { commonName: 'Online Registrar', country: 'TH' },
    publicKey: kp.publicKey,
    signingKey: pki.ca.key,
    issuer: { certificate: pki.ca.cert },
    serialNumber: 777,
    notBefore: new Date(pki.now.getTime() - 86_400_000),
    notAfter: new Date(pki.now.getTime() + 86_400_000 * 30),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    ocspUrl: `${base}/ocsp`,
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function issue(): Promise<Uint8Array> {
  // Only the CA's own status is embedded; the signer's must come from OCSP.
  return issueTranscript({
    xml: SAMPLE_XML,
    signer: { key: signerKey, chain: [signerCert, pki.ca.cert] },
    revocation: { crls: [pki.crlRoot] },
    tsa: pki.tsaFn,
  });
}

describe('online revocation (opt-in)', () => {
  it('is not fetched unless enabled', async () => {
    hits = 0;
    const r = await verifyTranscript(await issue(), { trust: [pki.root.cert] });
    expect(r.subIndication).toBe('TRY_LATER');
    expect(hits).toBe(0);
  });

  it('fetches OCSP from the certificate AIA when enabled', async () => {
    mode = 'good';
    const r = await verifyTranscript(await issue(), { trust: [pki.root.cert], online: true });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.signatures[0]!.revocation[0]).toMatchObject({
      source: 'online-ocsp',
      type: 'ocsp',
      status: 'good',
    });
  });

  it('a revoked answer fails the signature', async () => {
    mode = 'revoked';
    const r = await verifyTranscript(await issue(), { trust: [pki.root.cert], online: true });
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(r.subIndication).toBe('REVOKED');
  });

  it('a responder that never answers hits the timeout instead of hanging', async () => {
    mode = 'hang';
    const pdf = await issue();
    const r = await verifyTranscript(pdf, { trust: [pki.root.cert], online: { timeoutInMs: 300 } });
    expect(r.subIndication).toBe('TRY_LATER');
    expect(r.signatures[0]!.revocation[0]!.fetchProblems?.[0]).toMatch(/^OCSP .*: ERR_TIMEOUT$/);
  });
});
