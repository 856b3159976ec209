import { connectProxy, httpServer, type TestServer } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRevocationFetcher, type RevocationFetch, validateCertificatePath } from '../src/index.js';
import { createOcspResponse } from '../src/testing.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;
const rootCrl = await h.crl(h.root);
let mode: 'good' | 'revoked' | 'huge' | 'hang' = 'good';
let server: TestServer;
let ocspSigner: Identity;
let crlSigner: Identity;
let noUrlSigner: Identity;

beforeAll(async () => {
  server = await httpServer(async (req, res) => {
    if (mode === 'hang') return; // never answers: the deadline must end the wait
    if (mode === 'huge') {
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.alloc(64 * 1024));
      return;
    }
    if (
      req.url === '/ocsp' &&
      req.method === 'POST' &&
      req.headers['content-type'] === 'application/ocsp-request'
    ) {
      const body = await createOcspResponse({
        certificate: ocspSigner.cert,
        issuerCertificate: h.ca.cert,
        responderCertificate: h.ca.cert,
        responderKey: h.ca.key,
        status: mode === 'revoked' ? 'revoked' : 'good',
        revokedAt: new Date(now.getTime() - DAY),
        thisUpdate: new Date(now.getTime() - 60_000),
        nextUpdate: new Date(now.getTime() + DAY),
      });
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(body));
    } else if (req.url === '/short.crl' && req.method === 'GET') {
      // Due again in one second: what a CA publishing often looks like to a process that runs for days.
      const crl = await h.crl(h.ca, {
        thisUpdate: new Date(Date.now() - 60_000),
        nextUpdate: new Date(Date.now() + 1_000),
      });
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(crl));
    } else if ((req.url === '/ca.crl' || req.url?.startsWith('/many/')) && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(await h.crl(h.ca)));
    } else res.writeHead(404).end();
  });
  ocspSigner = await issue(now, 'OCSP-checked signer', 300, h.ca, {
    ...SIGNER_USAGE,
    ocspUrl: `${server.url}/ocsp`,
  });
  crlSigner = await issue(now, 'CRL-checked signer', 301, h.ca, {
    ...SIGNER_USAGE,
    crlUrl: `${server.url}/ca.crl`,
  });
  noUrlSigner = await issue(now, 'Signer without URLs', 302, h.ca, {
    ...SIGNER_USAGE,
    crlUrl: 'file:///etc/ca.crl',
  });
});
afterAll(() => server.close());

function validate(leaf: Identity, revocation: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return validateCertificatePath(leaf.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls: [rootCrl], ...revocation },
    ...extra,
  });
}

describe('online revocation through the core Transport', () => {
  it('is never fetched unless asked for', async () => {
    const before = server.requests.length;
    expectOutcome(await validate(ocspSigner, {}), 'INDETERMINATE', 'TRY_LATER');
    expect(server.requests.length).toBe(before);
  });

  it("follows the certificate's AIA OCSP URL (a POST of a DER OCSPRequest)", async () => {
    mode = 'good';
    const r = await validate(ocspSigner, { online: true });
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ source: 'online-ocsp', type: 'ocsp', status: 'good' });
    const req = server.requests.at(-1)!;
    expect(req.headers['user-agent']).toMatch(/^thgov-pki\//);
  });

  it('an online revocation is a revocation', async () => {
    mode = 'revoked';
    expectOutcome(await validate(ocspSigner, { online: true }), 'INDETERMINATE', 'REVOKED_NO_POE');
  });

  it('follows the CRL distribution point when there is no OCSP URL', async () => {
    mode = 'good';
    const r = await validate(crlSigner, { online: true });
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ source: 'online-crl', type: 'crl' });
  });

  it('a hold in the evidence at hand is looked up online: a newer CRL that releases it decides', async () => {
    mode = 'good';
    const heldCrl = await h.crl(h.ca, {
      thisUpdate: new Date(now.getTime() - 4 * DAY),
      revoked: [
        {
          serialNumber: crlSigner.serial,
          date: new Date(now.getTime() - 5 * DAY),
          reason: 'certificateHold',
        },
      ],
    });
    const offline = await validate(crlSigner, { crls: [rootCrl, heldCrl] });
    expectOutcome(offline, 'INDETERMINATE', 'REVOKED_NO_POE');
    const r = await validate(crlSigner, { crls: [rootCrl, heldCrl], online: true });
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ source: 'online-crl', status: 'good' });
  });

  it('answers above the size cap are not read', async () => {
    mode = 'huge';
    const r = await validate(ocspSigner, { online: { maxResponseBytes: 1024 } });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.fetchProblems[0]).toContain('ERR_RESPONSE_TOO_LARGE');
  });

  it('a responder that never answers ends in TRY_LATER once the deadline passes', async () => {
    mode = 'hang';
    const r = await validate(ocspSigner, { online: { timeoutInMs: 300 } });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.fetchProblems[0]).toMatch(/ERR_TIMEOUT|ERR_ABORTED/);
    mode = 'good';
  });

  it('only http(s) URLs are followed; a certificate without any says so', async () => {
    const r = await validate(noUrlSigner, { online: true });
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.message).toContain('names no OCSP responder or CRL distribution point');
  });

  it('goes through the configured proxy', async () => {
    const proxy = await connectProxy();
    try {
      mode = 'good';
      expectOutcome(await validate(ocspSigner, { online: { proxy: proxy.url } }), 'PASSED');
      expect(proxy.tunnels).toEqual([`127.0.0.1:${server.port}`]);
    } finally {
      await proxy.close();
    }
  });

  it('a fetcher shared by several validations downloads a CRL once', async () => {
    const fetcher = createRevocationFetcher();
    try {
      const before = server.requests.filter((r) => r.url === '/ca.crl').length;
      for (let i = 0; i < 3; i++) expectOutcome(await validate(crlSigner, { fetch: fetcher }), 'PASSED');
      expect(server.requests.filter((r) => r.url === '/ca.crl').length - before).toBe(1);
    } finally {
      await fetcher.close();
    }
  });

  it('a kept CRL is downloaded again once its nextUpdate passes: a long-running service never holds a stale one', async () => {
    // The clock is moved, not waited for: a loaded machine may take longer than the CRL's second to download it.
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const fetcher = createRevocationFetcher();
    const url = `${server.url}/short.crl`;
    const downloads = () => server.requests.filter((r) => r.url === '/short.crl').length;
    try {
      const before = downloads();
      await fetcher.fetch({ type: 'crl', url }, {});
      await fetcher.fetch({ type: 'crl', url }, {});
      expect(downloads() - before).toBe(1);
      vi.setSystemTime(start.getTime() + 1_500);
      await fetcher.fetch({ type: 'crl', url }, {});
      expect(downloads() - before).toBe(2);
    } finally {
      vi.useRealTimers();
      await fetcher.close();
    }
  });

  it('crlCacheMaxAgeInMs bounds how long a CRL is kept, whatever its nextUpdate says', async () => {
    const fetcher = createRevocationFetcher({ crlCacheMaxAgeInMs: 100 });
    const downloads = () => server.requests.filter((r) => r.url === '/ca.crl').length;
    try {
      const before = downloads();
      await fetcher.fetch({ type: 'crl', url: `${server.url}/ca.crl` }, {});
      await fetcher.fetch({ type: 'crl', url: `${server.url}/ca.crl` }, {});
      expect(downloads() - before).toBe(1);
      await new Promise((r) => setTimeout(r, 150));
      await fetcher.fetch({ type: 'crl', url: `${server.url}/ca.crl` }, {});
      expect(downloads() - before).toBe(2);
    } finally {
      await fetcher.close();
    }
  });

  it('keeps a bounded number of CRLs: the least recently used is dropped first', async () => {
    const fetcher = createRevocationFetcher();
    const downloads = (path: string) => server.requests.filter((r) => r.url === path).length;
    try {
      const first = `${server.url}/many/0.crl`;
      await fetcher.fetch({ type: 'crl', url: first }, {});
      for (let i = 1; i <= 300; i++)
        await fetcher.fetch({ type: 'crl', url: `${server.url}/many/${i}.crl` }, {});
      await fetcher.fetch({ type: 'crl', url: `${server.url}/many/300.crl` }, {});
      expect(downloads('/many/300.crl')).toBe(1);
      await fetcher.fetch({ type: 'crl', url: first }, {});
      expect(downloads('/many/0.crl')).toBe(2);
    } finally {
      await fetcher.close();
    }
  });

  it('a fetch function of your own replaces HTTP; the caller can abort', async () => {
    const seen: string[] = [];
    const mine: RevocationFetch = async (req) => {
      seen.push(`${req.type} ${req.url}`);
      throw Object.assign(new Error('offline'), { code: 'ERR_OFFLINE' });
    };
    const r = await validate(ocspSigner, { fetch: mine });
    expect(seen).toEqual([`ocsp ${server.url}/ocsp`]);
    expect(r.revocation[0]!.fetchProblems).toEqual([`OCSP ${server.url}/ocsp: ERR_OFFLINE`]);
    const c = new AbortController();
    const aborting: RevocationFetch = async () => {
      c.abort();
      throw new Error('aborted');
    };
    await expect(validate(ocspSigner, { fetch: aborting }, { abortSignal: c.signal })).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    });
  });

  it('refuses bad online options by name', async () => {
    await expect(validate(ocspSigner, { online: { timeout: 5 } })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
      message: expect.stringContaining('timeout'),
    });
    expect(() => createRevocationFetcher({ proxy: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
    expect(() => createRevocationFetcher({ crlCacheMaxAgeInMs: -1 })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG',
        message: expect.stringContaining('crlCacheMaxAgeInMs'),
      }),
    );
  });
});
