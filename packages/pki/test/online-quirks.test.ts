// Revocation servers as they answer in the field, served on 127.0.0.1 from the test PKI: each quirk either gives a
// usable status or an INDETERMINATE/TRY_LATER whose fetch problem says what went wrong — never a hang, a throw, or
// a status taken from an answer about something else.
import { gzipSync } from 'node:zlib';
import { httpServer, type TestServer } from '@thgov/testkit';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../src/index.js';
import { createOcspResponse } from '../src/testing.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy, DAY, type Identity, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: Uint8Array;
}
const h = await createHierarchy();
const rootCrl = await h.crl(h.root);
const caCrl = Buffer.from(await h.crl(h.ca));
let answer: (path: string, method: string) => Answer | 'hang' = () => ({ status: 404 });
let server: TestServer;
let serial = 600;

beforeAll(async () => {
  server = await httpServer(async (req, res) => {
    req.resume();
    const a = answer(req.url ?? '', req.method ?? '');
    if (a === 'hang') return;
    res.writeHead(a.status ?? 200, a.headers ?? {}).end(Buffer.from(a.body ?? new Uint8Array(0)));
  });
});
afterAll(() => server.close());

const crlLeaf = (path: string) =>
  issue(h.now, 'CRL-checked signer', serial++, h.ca, { ...SIGNER_USAGE, crlUrl: `${server.url}${path}` });
const ocspLeaf = () =>
  issue(h.now, 'OCSP-checked signer', serial++, h.ca, { ...SIGNER_USAGE, ocspUrl: `${server.url}/ocsp` });

function validate(leaf: Identity, online: unknown = true) {
  return validateCertificatePath(leaf.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls: [rootCrl], online: online as true },
  });
}

function ocspStatusOnly(status: number): Uint8Array {
  const r = new pkijs.OCSPResponse();
  r.responseStatus.valueBlock.valueDec = status;
  return new Uint8Array(r.toSchema().toBER(false));
}

describe('CRL distribution points as they are served', () => {
  it('DER or PEM, whatever the Content-Type (pkix-crl, octet-stream, text/plain, none), gzip or not', async () => {
    const pem = Buffer.from(
      `-----BEGIN X509 CRL-----\n${caCrl.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END X509 CRL-----\n`,
    );
    const variants: Answer[] = [
      { headers: { 'content-type': 'application/pkix-crl' }, body: pem },
      { headers: { 'content-type': 'application/octet-stream' }, body: caCrl },
      { headers: { 'content-type': 'text/plain' }, body: caCrl },
      { body: caCrl },
      {
        headers: { 'content-type': 'application/pkix-crl', 'content-encoding': 'gzip' },
        body: gzipSync(caCrl),
      },
    ];
    for (const v of variants) {
      answer = () => v;
      const r = await validate(await crlLeaf('/ca.crl'));
      expectOutcome(r, 'PASSED');
      expect(r.revocation[0]!.decidedBy).toMatchObject({ source: 'online-crl', status: 'good' });
    }
  });

  it('an ldap:// name before the http:// one is skipped, the http:// one used', async () => {
    const cdp = new pkijs.CRLDistributionPoints({
      distributionPoints: [
        new pkijs.DistributionPoint({
          distributionPoint: [
            new pkijs.GeneralName({
              type: 6,
              value: 'ldap://ldap.example/cn=Test%20CA?certificateRevocationList',
            }),
            new pkijs.GeneralName({ type: 6, value: `${server.url}/ca.crl` }),
          ],
        }),
      ],
    });
    const leaf = await issue(h.now, 'LDAP-first signer', serial++, h.ca, {
      ...SIGNER_USAGE,
      extensions: [{ oid: '2.5.29.31', value: new Uint8Array(cdp.toSchema().toBER(false)) }],
    });
    answer = (path) => (path === '/ca.crl' ? { body: caCrl } : { status: 404 });
    expectOutcome(await validate(leaf), 'PASSED');
  });

  it('a redirect is not followed, and the fetch problem says so', async () => {
    answer = (path) =>
      path === '/moved.crl'
        ? { status: 301, headers: { location: `${server.url}/ca.crl` } }
        : { body: caCrl };
    const r = await validate(await crlLeaf('/moved.crl'));
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.fetchProblems[0]).toMatch(/ERR_HTTP \(HTTP 301: redirects are not followed\)/);
    expect(server.requests.at(-1)!.url).toBe('/moved.crl');
  });

  it('a delta CRL alone, or a CRL without nextUpdate that is older than a day, does not prove "good"', async () => {
    const delta = await h.crl(h.ca, { deltaOf: 1, crlNumber: 2 });
    answer = () => ({ body: delta });
    expectOutcome(await validate(await crlLeaf('/delta.crl')), 'INDETERMINATE', 'TRY_LATER');
    const undated = await h.crl(h.ca, {
      nextUpdate: undefined,
      thisUpdate: new Date(h.now.getTime() - 2 * DAY),
    });
    answer = () => ({ body: undated });
    expectOutcome(await validate(await crlLeaf('/undated.crl')), 'INDETERMINATE', 'TRY_LATER');
  });

  it('a web page instead of a CRL, and a server that never answers, are fetch problems', async () => {
    answer = () => ({ headers: { 'content-type': 'text/html' }, body: Buffer.from('<html>moved</html>') });
    const page = await validate(await crlLeaf('/page.crl'));
    expectOutcome(page, 'INDETERMINATE', 'TRY_LATER');
    expect(page.revocation[0]!.fetchProblems[0]).toContain('ERR_PKI_INPUT');
    answer = () => 'hang';
    const slow = await validate(await crlLeaf('/slow.crl'), { timeoutInMs: 300 });
    expectOutcome(slow, 'INDETERMINATE', 'TRY_LATER');
    expect(slow.revocation[0]!.fetchProblems[0]).toMatch(/ERR_TIMEOUT|ERR_ABORTED/);
  });

  it('user information in a distribution point URL is not fetched and not repeated in reports', async () => {
    const leaf = await issue(h.now, 'Signer with a credential URL', serial++, h.ca, {
      ...SIGNER_USAGE,
      crlUrl: `http://crl-user:s3cr3t-pw@127.0.0.1:${server.port}/ca.crl`,
    });
    const before = server.requests.length;
    const r = await validate(leaf);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(server.requests.length).toBe(before);
    expect(JSON.stringify(r)).not.toContain('s3cr3t-pw');
    expect(r.revocation[0]!.fetchProblems[0]).toContain(`CRL http://127.0.0.1:${server.port}/ca.crl`);
  });
});

describe('OCSP responders as they answer', () => {
  it('octet-stream or ocsp-response, responder by key or by name, with a nonce or not: good', async () => {
    const leaf = await ocspLeaf();
    const base = {
      certificate: leaf.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
      status: 'good' as const,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + DAY),
    };
    const variants: Answer[] = [
      { headers: { 'content-type': 'application/ocsp-response' }, body: await createOcspResponse(base) },
      { headers: { 'content-type': 'application/octet-stream' }, body: await createOcspResponse(base) },
      { body: await createOcspResponse({ ...base, responderIdByKey: true }) },
      { body: await createOcspResponse({ ...base, nonce: new Uint8Array([1, 2, 3, 4]) }) },
      { body: await createOcspResponse({ ...base, nextUpdate: undefined }) },
    ];
    for (const v of variants) {
      answer = () => v;
      const r = await validate(leaf);
      expectOutcome(r, 'PASSED');
      expect(r.revocation[0]!.decidedBy).toMatchObject({ source: 'online-ocsp', status: 'good' });
    }
  });

  it('a "good" answer about another serial number does not count for ours', async () => {
    const leaf = await ocspLeaf();
    const other = await issue(h.now, 'Someone else', 9_999, h.ca, SIGNER_USAGE);
    const body = await createOcspResponse({
      certificate: other.cert,
      issuerCertificate: h.ca.cert,
      responderCertificate: h.ca.cert,
      responderKey: h.ca.key,
      status: 'good',
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + DAY),
    });
    answer = () => ({ body });
    expectOutcome(await validate(leaf), 'INDETERMINATE', 'TRY_LATER');
  });

  it('tryLater and unauthorized are named in the fetch problems', async () => {
    const leaf = await ocspLeaf();
    for (const [code, name] of [
      [3, 'tryLater'],
      [6, 'unauthorized'],
    ] as const) {
      answer = () => ({
        headers: { 'content-type': 'application/ocsp-response' },
        body: ocspStatusOnly(code),
      });
      const r = await validate(leaf);
      expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
      expect(r.revocation[0]!.fetchProblems).toEqual([
        `OCSP ${server.url}/ocsp: the responder answered ${name}`,
      ]);
      expect(r.message).toContain(name);
    }
  });

  it('a responder that refuses the POST and answers the GET with an empty body: a fetch problem, no status', async () => {
    const leaf = await ocspLeaf();
    answer = (_p, method) => (method === 'POST' ? { status: 405 } : { status: 200 });
    const r = await validate(leaf);
    expectOutcome(r, 'INDETERMINATE', 'TRY_LATER');
    expect(r.revocation[0]!.fetchProblems).toHaveLength(1);
    expect(r.revocation[0]!.fetchProblems[0]).toContain(`OCSP ${server.url}/ocsp: `);
  });
});
