// Certificate files as agencies have them. Node's TLS reads `ca` only as PEM CERTIFICATE blocks and silently
// skips anything else (a DER .cer exported from Windows, a .p7b bundle, a block whose base64 is damaged): the
// connection then fails later with an unrelated "self-signed certificate" TLS error, or trusts fewer CAs than the
// file names. A DER certificate is read as what it is; what cannot be read is an ERR_INVALID_ARG when the client
// is made, naming the option and never the file's content.
import { X509Certificate } from 'node:crypto';
import { certsOnlyPkcs7, createTestCa, httpsServer, type TestServer } from '@thgov/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TlsOptions, Transport } from '../src/index.js';

const PKG = { name: '@thgov/test', version: '1.0.0' };
let pki: Awaited<ReturnType<typeof makePki>>;
const closers: Array<() => Promise<void>> = [];

async function makePki() {
  const ca = await createTestCa({ commonName: 'Platform CA' });
  const other = await createTestCa({ commonName: 'Other CA' });
  const server = await ca.issue({ commonName: 'server', usage: 'server' });
  const client = await ca.issue({ commonName: 'client', usage: 'client' });
  return { ca, other, server, client };
}
beforeAll(async () => {
  pki = await makePki();
});
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

const derOf = (pem: string | Buffer): Buffer => new X509Certificate(pem).raw;

const p7b = (...certs: Buffer[]): Buffer => Buffer.from(certsOnlyPkcs7(certs));
const pemOf = (der: Buffer, label: string) =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

async function server(): Promise<TestServer> {
  const s = await httpsServer(
    {
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.end(JSON.stringify({ client: peer.subject?.CN }));
    },
  );
  closers.push(() => s.close());
  return s;
}

function transport(url: string, tls: TlsOptions): Transport {
  const t = new Transport({ baseUrl: url, retry: false, tls }, PKG);
  closers.push(() => t.close());
  return t;
}

describe('a DER certificate is read as what it is', () => {
  it('a DER CA certificate (a Windows .cer) is trusted, alone or in a list with PEM', async () => {
    const s = await server();
    for (const ca of [derOf(pki.ca.cert), [pki.other.cert, derOf(pki.ca.cert)]]) {
      const t = transport(s.url, { ca, cert: pki.client.cert, key: pki.client.key });
      const res = await t.request<{ client: string }>({ method: 'GET', path: '/' });
      expect(res.body.client).toBe('client');
    }
  });

  it('a DER client certificate is presented to the server', async () => {
    const s = await server();
    const t = transport(s.url, { ca: pki.ca.cert, cert: derOf(pki.client.cert), key: pki.client.key });
    const res = await t.request<{ client: string }>({ method: 'GET', path: '/' });
    expect(res.body.client).toBe('client');
  });

  it('guard: a PEM bundle with comments, several certificates and a TRUSTED CERTIFICATE block still connects', async () => {
    const s = await server();
    // OpenSSL's trusted form (`openssl x509 -addtrust serverAuth -trustout`): the certificate, then its trust.
    const serverAuthTrust = Buffer.from('300c300a06082b06010505070301', 'hex');
    const trusted = pemOf(Buffer.concat([derOf(pki.ca.cert), serverAuthTrust]), 'TRUSTED CERTIFICATE');
    for (const ca of [
      `# Other CA\n${pki.other.cert}\n# Platform CA\n${pki.ca.cert}`,
      Buffer.from(`${pki.other.cert}${trusted}`),
    ]) {
      const t = transport(s.url, { ca, cert: pki.client.cert, key: pki.client.key });
      expect((await t.request<{ client: string }>({ method: 'GET', path: '/' })).body.client).toBe('client');
    }
  });
});

describe('what Node would skip in silence is refused when the client is made', () => {
  it('a PKCS#7 bundle (.p7b, DER or PEM) names the option and how to convert it', () => {
    const bundle = p7b(derOf(pki.ca.cert));
    for (const ca of [bundle, pemOf(bundle, 'PKCS7'), [pki.other.cert, bundle]]) {
      let err: unknown;
      try {
        new Transport({ baseUrl: 'https://127.0.0.1:9', tls: { ca } }, PKG);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect((err as Error).message).toMatch(/tls\.ca.*PKCS#7/);
      expect((err as Error).message).toContain('openssl pkcs7 -print_certs');
    }
  });

  it('text or bytes holding no certificate, or a certificate block that does not decode, are refused', () => {
    const good = pki.ca.cert;
    const broken = good.replace(/\n([A-Za-z0-9+/]{20})/, '\n!!!!$1');
    const truncated = pemOf(derOf(good).subarray(0, 100), 'CERTIFICATE');
    const secretText = 'PRIVATE-NOTE-s3cr3t not a certificate';
    for (const ca of [
      secretText,
      Buffer.from(secretText),
      Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]),
      broken,
      `${good}${truncated}`,
      [good, Buffer.alloc(0)],
    ]) {
      let err: unknown;
      try {
        new Transport({ baseUrl: 'https://127.0.0.1:9', tls: { ca } }, PKG);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect((err as Error).message).toContain('tls.ca');
      expect((err as Error).message).not.toContain('s3cr3t');
    }
  });

  it('a client certificate that is neither PEM nor DER is refused naming tls.cert', () => {
    for (const cert of [Buffer.from('not a certificate'), p7b(derOf(pki.client.cert))]) {
      let err: unknown;
      try {
        new Transport(
          { baseUrl: 'https://127.0.0.1:9', tls: { ca: pki.ca.cert, cert, key: pki.client.key } },
          PKG,
        );
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect((err as Error).message).toContain('tls.cert');
    }
  });
});
