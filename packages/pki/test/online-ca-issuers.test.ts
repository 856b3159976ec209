// A signer that sends its own certificate only (no intermediate): with fetching allowed, the missing issuer is
// downloaded from the certificate's authorityInfoAccess caIssuers URL (RFC 5280 §4.2.2.1), as Windows, EU DSS and
// browsers do, in the shapes CAs publish it (DER .cer/.crt, PEM, certs-only PKCS#7 .p7c). What is downloaded is
// only a candidate: a certificate that does not sign, a loop of URLs or a dead server leaves no path, bounded.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem, validateCertificatePath } from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { CA_USAGE, createHierarchy, type Identity, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

interface Answer {
  status?: number;
  type?: string;
  body?: Uint8Array | string;
}

const h = await createHierarchy();
let answers = new Map<string, Answer>();
let seen: string[] = [];
let server: Server;
let base = '';
let serial = 800;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    seen.push(`${req.method} ${req.url}`);
    const a = answers.get(req.url ?? '') ?? { status: 404 };
    res
      .writeHead(a.status ?? 200, { 'content-type': a.type ?? 'application/pkix-cert' })
      .end(typeof a.body === 'string' ? a.body : Buffer.from(a.body ?? new Uint8Array(0)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function serve(map: Record<string, Answer>): void {
  answers = new Map(Object.entries(map));
  seen = [];
}

/** A certs-only PKCS#7 SignedData, the .p7c a CA publishes at its caIssuers URL. */
function p7c(...certs: Uint8Array[]): Uint8Array {
  const sd = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
    certificates: certs.map((c) => pkijs.Certificate.fromBER(c.slice().buffer)),
  });
  const ci = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER(false));
}

/** A signer under h.ca that names where h.ca's certificate is published. */
const signerWithAia = (path: string) =>
  issue(h.now, 'AIA signer', serial++, h.ca, { ...SIGNER_USAGE, caIssuersUrl: `${base}${path}` });

function validate(leaf: Identity, online = true) {
  return validateCertificatePath(leaf.cert, {
    trustAnchors: h.root.cert,
    revocation: online ? { online: true, required: false } : { required: false },
  });
}

describe('a missing issuer is downloaded from caIssuers when fetching is allowed', () => {
  it.each([
    ['DER', () => ({ body: h.ca.cert })],
    ['PEM', () => ({ type: 'application/x-pem-file', body: toPem(h.ca.cert) })],
    ['a certs-only PKCS#7 (.p7c)', () => ({ type: 'application/pkcs7-mime', body: p7c(h.ca.cert) })],
  ])('%s: the path reaches the anchor through the downloaded CA', async (_name, answer) => {
    const leaf = await signerWithAia('/ca.cer');
    serve({ '/ca.cer': answer() });
    const r = await validate(leaf);
    expect(r.indication, r.message).toBe('PASSED');
    expect(r.path).toHaveLength(3);
    expect(Buffer.from(r.certificates[1]!)).toEqual(Buffer.from(h.ca.cert));
    expect(seen).toEqual(['GET /ca.cer']);
  });

  it('two levels: each downloaded certificate names the next, level by level', async () => {
    const mid = await issue(h.now, 'Second-level CA', serial++, h.ca, {
      ...CA_USAGE,
      caIssuersUrl: `${base}/ca.cer`,
    });
    const leaf = await issue(h.now, 'Deep signer', serial++, mid, {
      ...SIGNER_USAGE,
      caIssuersUrl: `${base}/mid.cer`,
    });
    serve({ '/mid.cer': { body: mid.cert }, '/ca.cer': { body: h.ca.cert } });
    const r = await validate(leaf);
    expect(r.indication, r.message).toBe('PASSED');
    expect(r.path).toHaveLength(4);
    expect(seen).toEqual(['GET /mid.cer', 'GET /ca.cer']);
  });
});

describe('what a download cannot do', () => {
  it('guard: without fetching allowed nothing is downloaded, and the path is not found', async () => {
    const leaf = await signerWithAia('/ca.cer');
    serve({ '/ca.cer': { body: h.ca.cert } });
    expectOutcome(await validate(leaf, false), 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(seen).toEqual([]);
  });

  it('a certificate with the right name but another key (not the issuer) makes no path', async () => {
    // Same subject as the issuing CA, issued by the same root, but a key of its own: the signer's signature fails.
    const impostor = await issue(h.now, 'Test CA', serial++, h.root, CA_USAGE);
    const leaf = await signerWithAia('/ca.cer');
    serve({ '/ca.cer': { body: impostor.cert } });
    const r = await validate(leaf);
    expectOutcome(r, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(seen).toEqual(['GET /ca.cer']);
  });

  it('a dead URL, a web page, or a loop of URLs: NO_CERTIFICATE_CHAIN_FOUND naming the problem, at most 4 downloads', async () => {
    const leaf = await signerWithAia('/ca.cer');
    serve({ '/ca.cer': { status: 404 } });
    const dead = await validate(leaf);
    expectOutcome(dead, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(dead.message).toContain(`issuer certificate ${base}/ca.cer: ERR_HTTP (HTTP 404)`);

    serve({ '/ca.cer': { type: 'text/html', body: '<html>Sign in to the Wi-Fi</html>' } });
    const page = await validate(leaf);
    expectOutcome(page, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(page.message).toContain(`issuer certificate ${base}/ca.cer: ERR_PKI_INPUT`);

    // Each downloaded CA is issued by a CA nobody serves and names the next URL: the chain never ends.
    const hops: Record<string, Answer> = {};
    for (let i = 0; i < 8; i++) {
      const ghost = await issue(h.now, `Ghost ${i}`, serial++, undefined, CA_USAGE);
      const hop = await issue(h.now, `Hop ${i}`, serial++, ghost, {
        ...CA_USAGE,
        caIssuersUrl: `${base}/hop${i + 1}.cer`,
      });
      hops[`/hop${i}.cer`] = { body: hop.cert };
    }
    const looping = await issue(h.now, 'Looping signer', serial++, h.ca, {
      ...SIGNER_USAGE,
      caIssuersUrl: `${base}/hop0.cer`,
    });
    serve(hops);
    const r = await validate(looping);
    expectOutcome(r, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(seen).toEqual(['GET /hop0.cer', 'GET /hop1.cer', 'GET /hop2.cer', 'GET /hop3.cer']);
  });

  it('a caIssuers URL that is not http(s) is not fetched', async () => {
    const leaf = await issue(h.now, 'LDAP AIA signer', serial++, h.ca, {
      ...SIGNER_USAGE,
      caIssuersUrl: 'ldap://directory.example/cn=CA?cACertificate',
    });
    serve({});
    expectOutcome(await validate(leaf), 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    expect(seen).toEqual([]);
  });
});
