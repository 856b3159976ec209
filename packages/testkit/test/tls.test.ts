import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { type ConnectionOptions, connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSigned, createTestCa, httpsServer, type TestCa, type TestServer } from '../src/index.js';
import { serialNumber } from '../src/tls.js';

/** A real TLS handshake against `port`; resolves with the authorization error, or 'ok'. */
function handshake(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ...options }, () => {
      socket.end();
      resolve('ok');
    });
    socket.on('error', (err: Error & { code?: string }) => resolve(err.code ?? err.message));
  });
}

/** An https GET with a client certificate; resolves with the status or the error code. */
function get(url: string, tls: { ca: string; cert?: string; key?: string }): Promise<string | number> {
  return new Promise((resolve) => {
    const req = request(url, { ...tls, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: Error & { code?: string }) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe('in-process test PKI against Node TLS', () => {
  let ca: TestCa;
  let other: TestCa;
  let server: TestServer;
  beforeAll(async () => {
    ca = await createTestCa({ commonName: 'Testkit CA' });
    other = await createTestCa({ commonName: 'Other CA' });
    const cert = await ca.issue({ commonName: 'server', usage: 'server' });
    server = await httpsServer(
      { key: cert.key, cert: cert.cert, ca: ca.cert, requestCert: true, rejectUnauthorized: true },
      (_req, res) => res.end('ok'),
    );
  });
  afterAll(() => server?.close());

  it('a server certificate for 127.0.0.1 and localhost is trusted through its CA only', async () => {
    const client = await ca.issue({ commonName: 'client', usage: 'client' });
    const auth = { cert: client.cert, key: client.key };
    expect(await handshake(server.port, { ...auth, ca: ca.cert, servername: 'localhost' })).toBe('ok');
    expect(await handshake(server.port, { ...auth, ca: ca.cert })).toBe('ok');
    const leaf = await ca.issue({ commonName: 'server', usage: 'server' });
    const x = new X509Certificate(leaf.cert);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(x.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(new X509Certificate(ca.cert).ca).toBe(true);
    expect(x.ca).toBe(false);
  });

  it('mTLS: a client certificate of the CA passes; another CA, an expired one, or none is refused', async () => {
    const client = await ca.issue({ commonName: 'client', usage: 'client' });
    expect(await get(server.url, { ca: ca.cert, cert: client.cert, key: client.key })).toBe(200);

    const stranger = await other.issue({ commonName: 'stranger', usage: 'client' });
    expect(await get(server.url, { ca: ca.cert, cert: stranger.cert, key: stranger.key })).not.toBe(200);

    const expired = await ca.issue({ commonName: 'old', usage: 'client', notAfter: new Date('2024-03-01') });
    expect(new X509Certificate(expired.cert).validTo).toContain('2024');
    expect(await get(server.url, { ca: ca.cert, cert: expired.cert, key: expired.key })).not.toBe(200);

    expect(await get(server.url, { ca: ca.cert })).not.toBe(200);
  });

  it('the client sees an untrusted CA, a name mismatch and an expired server certificate as such', async () => {
    const client = await ca.issue({ commonName: 'client', usage: 'client' });
    const auth = { cert: client.cert, key: client.key };
    // The server sends its CA along (Node completes the chain from `ca`), which the client does not trust.
    expect(await handshake(server.port, { ...auth, ca: other.cert })).toBe('SELF_SIGNED_CERT_IN_CHAIN');

    const elsewhere = await ca.issue({ commonName: 'elsewhere', usage: 'server', hosts: ['other.test'] });
    const expired = await ca.issue({
      commonName: 'expired',
      usage: 'server',
      notAfter: new Date('2024-03-01'),
    });
    for (const [leaf, code] of [
      [elsewhere, 'ERR_TLS_CERT_ALTNAME_INVALID'],
      [expired, 'CERT_HAS_EXPIRED'],
    ] as const) {
      const s = await httpsServer({ key: leaf.key, cert: leaf.cert }, (_q, res) => res.end());
      try {
        expect(await get(s.url, { ca: ca.cert })).toBe(code);
      } finally {
        await s.close();
      }
    }
  });

  it('RSA keys and self-signed signing certificates for XML signatures', async () => {
    const rsaCa = await createTestCa({ commonName: 'RSA CA', keyType: 'rsa' });
    const signer = await rsaCa.issue({ commonName: 'Signer', usage: 'signing', keyType: 'rsa' });
    const x = new X509Certificate(signer.cert);
    expect(x.publicKey.asymmetricKeyType).toBe('rsa');
    expect(x.keyUsage ?? []).toEqual([]); // Node lists extended key usages here; a signer has none.
    expect(x.verify(new X509Certificate(rsaCa.cert).publicKey)).toBe(true);
    expect(signer.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const self = await createSelfSigned({ commonName: 'Stranger', usage: 'signing' });
    const s = new X509Certificate(self.cert);
    expect(s.subject).toBe('CN=Stranger');
    expect(s.issuer).toBe('CN=Stranger');
    expect(s.checkIssued(new X509Certificate(ca.cert))).toBe(false);
  });
});

describe('certificate serial numbers', () => {
  it('are positive and DER-minimal whatever the random bytes (OpenSSL refuses a padded INTEGER)', () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const der = new Uint8Array(serialNumber(new Uint8Array([first, 0x00, 0x05])).toBER(false));
      // INTEGER, length 3, then a first content byte that is neither zero nor has the sign bit set.
      expect([der[0], der[1]]).toEqual([0x02, 3]);
      expect(der[2]).toBeGreaterThan(0);
      expect(der[2]).toBeLessThan(0x80);
    }
  });
});
