// OCSP by GET (RFC 6960 appendix A.1): a responder that refuses the POST (some responders and caching front-ends
// serve GET only) is asked the same request by GET, and its answer counts as a POSTed one would — good or revoked.
// A refusal of any other kind, or a responder URL a GET cannot be formed from, leaves the POST's fetch problem.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../src/index.js';
import { createOcspResponse } from '../src/testing.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

interface Seen {
  method: string;
  url: string;
  body: Buffer;
}
interface Answer {
  status?: number;
  body?: Uint8Array;
}

const h = await createHierarchy();
const rootCrl = await h.crl(h.root);
let seen: Seen[] = [];
let answer: (s: Seen) => Promise<Answer> = async () => ({ status: 404 });
let server: Server;
let base = '';
let serial = 700;

beforeAll(async () => {
  // Not testkit's httpServer: that one drops the request body, and these tests compare the POSTed DER with the GET.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const s = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks) };
      seen.push(s);
      const a = await answer(s);
      res
        .writeHead(a.status ?? 200, { 'content-type': 'application/ocsp-response' })
        .end(Buffer.from(a.body ?? new Uint8Array(0)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const leafAt = (ocspUrl: string) =>
  issue(h.now, 'OCSP-checked signer', serial++, h.ca, { ...SIGNER_USAGE, ocspUrl });

function validate(leaf: Identity) {
  seen = [];
  return validateCertificatePath(leaf.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls: [rootCrl], online: true },
  });
}

/** The DER request a GET carries in its last path segment (base64, percent-encoded). */
function getRequest(s: Seen, prefix: string): Uint8Array {
  expect(s.url.startsWith(prefix)).toBe(true);
  const segment = s.url.slice(prefix.length);
  // Percent-encoded: no raw "/", "+" or "=" of base64 reaches the server.
  expect(segment).toMatch(/^[A-Za-z0-9%]+$/);
  return new Uint8Array(Buffer.from(decodeURIComponent(segment), 'base64'));
}

/** Answers for the certificate the request asks about, as a real responder would (serial taken from the DER). */
function responderFor(leaf: Identity, status: 'good' | 'revoked') {
  return async (der: Uint8Array): Promise<Answer> => {
    const req = pkijs.OCSPRequest.fromBER(der.slice().buffer);
    const asked = req.tbsRequest.requestList[0]?.reqCert.serialNumber.toBigInt();
    if (asked !== BigInt(leaf.serial)) return { status: 400 };
    return {
      body: await createOcspResponse({
        certificate: leaf.cert,
        issuerCertificate: h.ca.cert,
        responderCertificate: h.ca.cert,
        responderKey: h.ca.key,
        status,
        ...(status === 'revoked' ? { revokedAt: new Date(Date.now() - DAY) } : {}),
        thisUpdate: new Date(Date.now() - 60_000),
        nextUpdate: new Date(Date.now() + DAY),
      }),
    };
  };
}

describe('a responder that refuses the POST is asked by GET', () => {
  it.each([405, 501, 415, 400, 404])(
    'POST answered %i, GET served: the GET carries the same DER request and its "good" counts',
    async (refusal) => {
      const leaf = await leafAt(`${base}/ocsp`);
      const respond = responderFor(leaf, 'good');
      answer = async (s) => (s.method === 'POST' ? { status: refusal } : respond(getRequest(s, '/ocsp/')));
      const r = await validate(leaf);
      expectOutcome(r, 'PASSED');
      expect(r.revocation[0]!.decidedBy).toMatchObject({ source: 'online-ocsp', status: 'good' });
      expect(seen.map((s) => s.method)).toEqual(['POST', 'GET']);
      expect(getRequest(seen[1]!, '/ocsp/')).toEqual(new Uint8Array(seen[0]!.body));
    },
  );

  it('a "revoked" answer by GET revokes', async () => {
    const leaf = await leafAt(`${base}/ocsp`);
    const respond = responderFor(leaf, 'revoked');
    answer = async (s) => (s.method === 'POST' ? { status: 405 } : respond(getRequest(s, '/ocsp/')));
    const r = await validate(leaf);
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
    expect(r.revocation[0]!.decidedBy).toMatchObject({ source: 'online-ocsp', status: 'revoked' });
  });

  it('a responder URL without a path (http://host) or ending in "/" gets one slash before the request', async () => {
    for (const [url, prefix] of [
      [base, '/'],
      [`${base}/`, '/'],
      [`${base}/ocsp/`, '/ocsp/'],
    ] as const) {
      const leaf = await leafAt(url);
      const respond = responderFor(leaf, 'good');
      answer = async (s) => (s.method === 'POST' ? { status: 405 } : respond(getRequest(s, prefix)));
      expectOutcome(await validate(leaf), 'PASSED');
      expect(seen[1]!.url.slice(prefix.length)).not.toContain('/');
    }
  });
});

describe('when GET is not tried, or fails too', () => {
  it('GET refused as well: INDETERMINATE, and the fetch problem names the POST status', async () => {
    const leaf = await leafAt(`${base}/ocsp`);
    answer = async (s) => ({ status: s.method === 'POST' ? 405 : 404 });
    const r = await validate(leaf);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET']);
    expect(r.revocation[0]!.fetchProblems[0]).toMatch(/ERR_HTTP \(HTTP 405\)/);
  });

  it('a server error, a 401/403 or a redirect is not a refusal of the method: no GET', async () => {
    for (const status of [500, 401, 403, 302]) {
      const leaf = await leafAt(`${base}/ocsp`);
      answer = async (s) => ({ status: s.method === 'POST' ? status : 200 });
      const r = await validate(leaf);
      expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
      expect(seen.every((s) => s.method === 'POST')).toBe(true);
      expect(r.revocation[0]!.fetchProblems[0]).toContain(`HTTP ${status}`);
    }
  });

  it('a responder URL with a query has no GET form: the POST refusal stands', async () => {
    const leaf = await leafAt(`${base}/ocsp?ca=1`);
    answer = async (s) => ({ status: s.method === 'POST' ? 405 : 200 });
    const r = await validate(leaf);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(seen.map((s) => s.method)).toEqual(['POST']);
    expect(seen[0]!.url).toBe('/ocsp?ca=1');
  });
});
