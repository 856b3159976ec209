import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestSigner, createSignatureVerifier, Transport } from '../src/index.js';

const PKG = { name: '@thgov/test', version: '1.0.0' };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function pems() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * A server that verifies every signed request and signs its responses, as a platform (or the sandbox)
 * would: the transport's signer and responseVerifier are tested end to end over a real socket.
 */
async function signingServer(opts: { tamperResponse?: boolean } = {}): Promise<{
  server: TestServer;
  serverKeys: ReturnType<typeof pems>;
  clientKeys: ReturnType<typeof pems>;
  verified: string[];
}> {
  const clientKeys = pems();
  const serverKeys = pems();
  const verifier = createSignatureVerifier({
    keys: [{ kid: 'agency-1', key: clientKeys.publicKey }],
    algorithms: ['ES256'],
  });
  const signer = createRequestSigner({ key: serverKeys.privateKey, kid: 'platform-1', alg: 'ES256' });
  const verified: string[] = [];
  const real = await new Promise<TestServer>((resolve) => {
    const requests: IncomingMessage[] = [];
    const srv = createServer(async (req, res) => {
      requests.push(req);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const requestId = String(req.headers['x-request-id']);
      try {
        const v = await verifier.verify({
          method: req.method ?? '',
          target: req.url ?? '',
          body,
          headers: req.headers,
        });
        verified.push(v.kid);
      } catch (err) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (err as { code?: string }).code }));
        return;
      }
      const out = Buffer.from(JSON.stringify({ ok: true, echo: body.toString() }));
      const signed = await signer.signResponse({
        method: req.method ?? '',
        target: req.url ?? '',
        status: 200,
        body: out,
        requestId,
      });
      res.writeHead(200, { 'content-type': 'application/json', ...signed.headers });
      res.end(opts.tamperResponse ? Buffer.from(JSON.stringify({ ok: false, echo: 'forged' })) : out);
    });
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        close: () =>
          new Promise<void>((r) => {
            srv.closeAllConnections();
            srv.close(() => r());
          }),
      });
    });
  });
  cleanups.push(() => real.close());
  return { server: real, serverKeys, clientKeys, verified };
}

describe('transport with message signing', () => {
  it('signs each request and verifies each signed response', async () => {
    const { server, serverKeys, clientKeys, verified } = await signingServer();
    const t = new Transport(
      {
        baseUrl: server.url,
        signer: createRequestSigner({ key: clientKeys.privateKey, kid: 'agency-1', alg: 'ES256' }),
        responseVerifier: createSignatureVerifier({
          keys: [{ kid: 'platform-1', key: serverKeys.publicKey }],
          algorithms: ['ES256'],
        }),
      },
      PKG,
    );
    cleanups.push(() => t.close());
    const res = await t.request<{ ok: boolean; echo: string }>({
      method: 'POST',
      path: '/ws/x?a=1',
      body: { json: { q: 'ไทย' } },
    });
    expect(res.body).toEqual({ ok: true, echo: '{"q":"ไทย"}' });
    await t.request({ method: 'GET', path: '/ws/y' });
    expect(verified).toEqual(['agency-1', 'agency-1']);
    expect(server.requests[0]!.headers['content-digest']).toMatch(/^sha-256=:[A-Za-z0-9+/]+=*:$/);
  });

  it('rejects a response whose body was changed after signing', async () => {
    const { server, serverKeys, clientKeys } = await signingServer({ tamperResponse: true });
    const t = new Transport(
      {
        baseUrl: server.url,
        signer: createRequestSigner({ key: clientKeys.privateKey, kid: 'agency-1', alg: 'ES256' }),
        responseVerifier: createSignatureVerifier({
          keys: [{ kid: 'platform-1', key: serverKeys.publicKey }],
          algorithms: ['ES256'],
        }),
      },
      PKG,
    );
    cleanups.push(() => t.close());
    await expect(t.request({ method: 'GET', path: '/ws/y' })).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    });
  });

  it('an unsigned client is refused by the verifying server', async () => {
    const { server } = await signingServer();
    const t = new Transport({ baseUrl: server.url, retry: false }, PKG);
    cleanups.push(() => t.close());
    await expect(t.request({ method: 'GET', path: '/ws/y' })).rejects.toMatchObject({ statusCode: 401 });
  });
});
