import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CscClient, cscSigner, type SignatureAlgorithm, signDigest } from '../src/index.js';
import { issueCertificate, type TestCertificate } from './helpers/certificate.js';

/**
 * Interoperability with CSC services as they really answer (v1.0.4 and v2 shapes, base64 with line breaks,
 * chains in either order, raw ECDSA, JSON errors with any status) and with hostile ones (a leaf whose key is
 * not the one `key` describes, secrets echoed back). A real HTTP server on 127.0.0.1, one knob per quirk.
 */

interface Knobs {
  key: 'ec256' | 'ec384' | 'rsa';
  /** How `cert.certificates` is given. */
  chain: 'leaf-first' | 'root-first' | 'leaf-only';
  /** How base64 values (certificates, signatures) are written. */
  base64: 'plain' | 'mime' | 'url';
  algo?: string[];
  /** Overrides `key.curve` / `key.len` in `credentials/info` (a leaf that does not match them). */
  keyInfo?: Record<string, unknown>;
  ecdsaRaw: boolean;
  /** v1.0.4 `authMode` + `PIN`/`OTP` instead of v2 `auth`. */
  v1Auth?: 'oauth2code' | 'explicit';
  certStatus: boolean;
  contentType: string;
  /** Answer every signHash with this (status, body). */
  signHashAnswer?: [number, unknown];
}

const DEFAULTS: Knobs = {
  key: 'ec256',
  chain: 'leaf-first',
  base64: 'plain',
  ecdsaRaw: false,
  certStatus: true,
  contentType: 'application/json',
};

const ROOT = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KEYS = {
  ec256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ec384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
const TOKEN = 'service-token-quirks-5b7e0c';
const PIN = '80461357';
const SAD_PREFIX = 'sad-quirks-';

let server: Server;
let url: string;
let knobs: Knobs = { ...DEFAULTS };
let root: TestCertificate;
const leaves = {} as Record<keyof typeof KEYS, TestCertificate>;
const requests: Array<{ path: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }> =
  [];
let counter = 0;

function b64(bytes: Uint8Array): string {
  const s = Buffer.from(bytes).toString('base64');
  if (knobs.base64 === 'url') return Buffer.from(bytes).toString('base64url');
  if (knobs.base64 === 'mime') return (s.match(/.{1,76}/g) ?? []).join('\r\n');
  return s;
}

function ecdsaAlgorithm(): SignatureAlgorithm {
  return { scheme: 'ECDSA', digest: knobs.key === 'ec384' ? 'SHA-384' : 'SHA-256' };
}

function signOne(privateKey: KeyObject, hash: string, body: Record<string, unknown>): string {
  const digest = new Uint8Array(Buffer.from(hash, 'base64'));
  const pss = body.signAlgo === '1.2.840.113549.1.1.10';
  const digestName = digest.length === 48 ? 'SHA-384' : digest.length === 64 ? 'SHA-512' : 'SHA-256';
  const algorithm: SignatureAlgorithm =
    knobs.key === 'rsa'
      ? { scheme: pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', digest: digestName }
      : { scheme: 'ECDSA', digest: digestName };
  let sig = signDigest(privateKey, digest, algorithm);
  if (knobs.ecdsaRaw && knobs.key !== 'rsa') {
    const size = knobs.key === 'ec384' ? 48 : 32;
    const der = Buffer.from(sig);
    // SEQUENCE { INTEGER r, INTEGER s } → r‖s, each left-padded to the curve size.
    let at = der[1] === 0x81 ? 3 : 2;
    const ints: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const len = der[at + 1] as number;
      let v = der.subarray(at + 2, at + 2 + len);
      while (v.length > size && v[0] === 0) v = v.subarray(1);
      ints.push(Buffer.concat([Buffer.alloc(size - v.length), v]));
      at += 2 + len;
    }
    sig = new Uint8Array(Buffer.concat(ints));
  }
  return b64(sig);
}

function credentialInfo(): Record<string, unknown> {
  const leaf = leaves[knobs.key];
  const certs =
    knobs.chain === 'leaf-only'
      ? [leaf.der]
      : knobs.chain === 'root-first'
        ? [root.der, leaf.der]
        : [leaf.der, root.der];
  const key =
    knobs.key === 'rsa'
      ? {
          status: 'enabled',
          algo: knobs.algo ?? ['1.2.840.113549.1.1.11', '1.2.840.113549.1.1.10'],
          len: 2048,
        }
      : {
          status: 'enabled',
          algo: knobs.algo ?? ['1.2.840.10045.2.1', '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3'],
          len: knobs.key === 'ec384' ? 384 : 256,
          curve: knobs.key === 'ec384' ? '1.3.132.0.34' : '1.2.840.10045.3.1.7',
        };
  const auth = knobs.v1Auth
    ? {
        authMode: knobs.v1Auth,
        ...(knobs.v1Auth === 'explicit'
          ? { PIN: { presence: 'true', format: 'N', label: 'PIN' }, OTP: { presence: 'false' } }
          : {}),
      }
    : { auth: { mode: 'explicit', objects: [{ type: 'Password', id: 'PIN', format: 'N' }] } };
  return {
    key: { ...key, ...knobs.keyInfo },
    cert: {
      ...(knobs.certStatus ? { status: 'valid' } : {}),
      certificates: certs.map(b64),
      subjectDN: 'CN=Officer',
      vendorExtension: { anything: true },
    },
    ...auth,
    SCAL: '2',
    multisign: 5,
    unknownMember: 'ignored',
  };
}

function answer(path: string, body: Record<string, unknown>): [number, unknown] {
  if (path.endsWith('/credentials/list')) {
    const page = body.pageToken === 'page-2' ? 2 : 1;
    return [
      200,
      page === 1 ? { credentialIDs: ['a', 'b'], nextPageToken: 'page-2' } : { credentialIDs: ['c'] },
    ];
  }
  if (path.endsWith('/credentials/info')) return [200, credentialInfo()];
  if (path.endsWith('/credentials/authorize'))
    return [200, { SAD: `${SAD_PREFIX}${++counter}`, expiresIn: 300 }];
  if (path.endsWith('/signatures/signHash')) {
    if (knobs.signHashAnswer) return knobs.signHashAnswer;
    const hashes = (body.hashes ?? body.hash) as string[];
    return [200, { signatures: hashes.map((h) => signOne(KEYS[knobs.key].privateKey, h, body)) }];
  }
  return [404, { error: 'invalid_request', error_description: 'unknown method' }];
}

beforeAll(async () => {
  root = issueCertificate({
    subject: 'Quirks CA',
    publicKey: ROOT.publicKey,
    signingKey: ROOT.privateKey,
    serial: 1,
    ca: true,
  });
  for (const [name, pair] of Object.entries(KEYS)) {
    leaves[name as keyof typeof KEYS] = issueCertificate({
      subject: `Officer ${name}`,
      publicKey: pair.publicKey,
      issuer: root,
      signingKey: ROOT.privateKey,
      serial: 2,
    });
  }
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      requests.push({ path: req.url ?? '', body, headers: req.headers });
      if (req.headers['content-type'] !== 'application/json') {
        // Like services that match the media type exactly (no parameters).
        res.writeHead(415, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_request', error_description: 'unsupported media type' }));
        return;
      }
      const [status, out] = answer(req.url ?? '', body);
      res.writeHead(status, { 'content-type': knobs.contentType }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/csc/v2`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  knobs = { ...DEFAULTS };
  requests.length = 0;
});

const logged: unknown[] = [];
const logger = {
  debug: (...a: unknown[]) => logged.push(a),
  info: (...a: unknown[]) => logged.push(a),
  warn: (...a: unknown[]) => logged.push(a),
  error: (...a: unknown[]) => logged.push(a),
};

const open = (extra: Record<string, unknown> = {}) =>
  cscSigner({
    serviceUrl: url,
    credentialId: 'officer',
    auth: {
      serviceToken: TOKEN,
      authData: async () => ({ PIN }),
      credentialToken: async () => 'credential-token-quirks-91d2',
    },
    retry: false,
    logger,
    ...extra,
  });

const digestOf = (text: string, alg = 'sha256') => new Uint8Array(createHash(alg).update(text).digest());

async function signsTwo(algorithm: SignatureAlgorithm): Promise<Uint8Array[]> {
  const signer = await open();
  try {
    const alg = algorithm.digest.replace('SHA-', 'sha');
    return await signer.signMany([digestOf('a', alg), digestOf('b', alg)], algorithm);
  } finally {
    await signer.close();
  }
}

describe('legitimate CSC quirks', () => {
  it('chain leaf first, and the sign request carries v2 names, JSON and the access token', async () => {
    const [a, b] = await signsTwo(ecdsaAlgorithm());
    expect(a?.length).toBeGreaterThan(60);
    expect(b?.length).toBeGreaterThan(60);
    const signHash = requests.find((r) => r.path.endsWith('/signatures/signHash'));
    expect(signHash?.body).toMatchObject({ credentialID: 'officer', operationMode: 'S' });
    expect(signHash?.body.SAD).toMatch(/^sad-quirks-/);
    expect(signHash?.headers['content-type']).toBe('application/json');
    expect(signHash?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('chain given root first: the leaf is found, handed out first, and signatures verify', async () => {
    knobs.chain = 'root-first';
    const signer = await open();
    expect(Buffer.from(signer.certificateChain[0] as Uint8Array)).toEqual(Buffer.from(leaves.ec256.der));
    expect(signer.certificateChain).toHaveLength(2);
    await expect(signer.sign(digestOf('x'), ecdsaAlgorithm())).resolves.toBeInstanceOf(Uint8Array);
    await signer.close();
  });

  it('leaf only, without cert/status', async () => {
    knobs.chain = 'leaf-only';
    knobs.certStatus = false;
    const signer = await open();
    expect(signer.certificateChain).toHaveLength(1);
    await expect(signer.sign(digestOf('x'), ecdsaAlgorithm())).resolves.toBeInstanceOf(Uint8Array);
    await signer.close();
  });

  it('base64 with MIME line breaks (certificates and signatures)', async () => {
    knobs.base64 = 'mime';
    knobs.key = 'rsa';
    const [a] = await signsTwo({ scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' });
    expect(a?.length).toBe(256);
  });

  it('base64url certificates and signatures', async () => {
    knobs.base64 = 'url';
    knobs.key = 'rsa';
    const [a] = await signsTwo({ scheme: 'RSA-PSS', digest: 'SHA-256' });
    expect(a?.length).toBe(256);
  });

  it('RSA PKCS#1 v1.5 via sha256WithRSAEncryption, RSASSA-PSS with parameters', async () => {
    knobs.key = 'rsa';
    await signsTwo({ scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' });
    await signsTwo({ scheme: 'RSA-PSS', digest: 'SHA-256' });
    const sent = requests.filter((r) => r.path.endsWith('/signatures/signHash')).map((r) => r.body);
    expect(sent[0]?.signAlgo).toBe('1.2.840.113549.1.1.11');
    expect(sent[1]?.signAlgo).toBe('1.2.840.113549.1.1.10');
    expect(typeof sent[1]?.signAlgoParams).toBe('string');
  });

  it('ECDSA P-256 and P-384 returning raw r‖s, content-type with a charset', async () => {
    knobs.ecdsaRaw = true;
    knobs.contentType = 'application/json;charset=UTF-8';
    await signsTwo(ecdsaAlgorithm());
    knobs.key = 'ec384';
    const [a] = await signsTwo(ecdsaAlgorithm());
    expect(a?.[0]).toBe(0x30);
  });

  it('credentials/list paging: the caller can ask for the next page', async () => {
    const client = new CscClient({ serviceUrl: url, retry: false });
    const first = await client.listCredentials({ maxResults: 2 }, { accessToken: TOKEN });
    expect(first.nextPageToken).toBe('page-2');
    const second = await client.listCredentials(
      { maxResults: 2, pageToken: first.nextPageToken },
      { accessToken: TOKEN },
    );
    expect(second.credentialIDs).toEqual(['c']);
    await client.close();
  });

  it('v1.0.4 authMode "oauth2code": signs with a credential token, never calls credentials/authorize', async () => {
    knobs.v1Auth = 'oauth2code';
    await signsTwo(ecdsaAlgorithm());
    expect(requests.some((r) => r.path.endsWith('/credentials/authorize'))).toBe(false);
    const signHash = requests.find((r) => r.path.endsWith('/signatures/signHash'));
    expect(signHash?.headers.authorization).toBe('Bearer credential-token-quirks-91d2');
  });

  it('v1.0.4 authMode "explicit" with a PIN object: the PIN is asked for and sent', async () => {
    knobs.v1Auth = 'explicit';
    await signsTwo(ecdsaAlgorithm());
    const authorize = requests.find((r) => r.path.endsWith('/credentials/authorize'));
    expect(authorize?.body).toMatchObject({ credentialID: 'officer', numSignatures: 2, PIN });
    expect(authorize?.body.hash).toHaveLength(2);
    expect(authorize?.body).not.toHaveProperty('authData');
    const signHash = requests.find((r) => r.path.endsWith('/signatures/signHash'));
    expect(signHash?.body.hash).toEqual(authorize?.body.hash);
    expect(signHash?.body.hashAlgo).toBe('2.16.840.1.101.3.4.2.1');
    expect(signHash?.body).not.toHaveProperty('hashes');
  });

  it('HTTP 200 with a JSON error body is read as the CSC error it is ("SAD expired" → one fresh SAD)', async () => {
    knobs.signHashAnswer = [200, { error: 'invalid_request', error_description: 'SAD expired' }];
    const signer = await open();
    const err = await signer.sign(digestOf('x'), ecdsaAlgorithm()).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ERR_ESIGN_CSC_SAD_EXPIRED');
    expect(requests.filter((r) => r.path.endsWith('/signatures/signHash'))).toHaveLength(2);
    knobs.signHashAnswer = [200, { error: 'invalid_request', error_description: 'nope' }];
    const err2 = await signer.sign(digestOf('x'), ecdsaAlgorithm()).catch((e: unknown) => e);
    expect((err2 as { code?: string }).code).toBe('ERR_ESIGN_CSC_REQUEST');
    await signer.close();
  });

  for (const status of [400, 401, 403]) {
    it(`HTTP ${status} {error, error_description} is classified`, async () => {
      knobs.signHashAnswer = [
        status,
        { error: status === 400 ? 'invalid_request' : 'access_denied', error_description: 'nope' },
      ];
      const signer = await open();
      const err = await signer.sign(digestOf('x'), ecdsaAlgorithm()).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe(
        status === 400 ? 'ERR_ESIGN_CSC_REQUEST' : 'ERR_ESIGN_CSC_AUTH',
      );
      await signer.close();
    });
  }
});

describe('hostile CSC services', () => {
  // key/curve and key/len are descriptions: the certificate's key decides, and every signature is checked with it.
  for (const [kind, keyInfo] of [
    ['ec256', { curve: '1.3.132.0.34', len: 384 }],
    ['rsa', { len: 4096 }],
  ] as const) {
    it(`key info that does not describe the ${kind} leaf's key (${JSON.stringify(keyInfo)}): the certificate decides`, async () => {
      knobs.key = kind;
      knobs.keyInfo = keyInfo;
      const signer = await open();
      expect(signer.certificateChain.length).toBeGreaterThan(0);
      await signer.close();
    });
  }

  it('secrets echoed back by the service (token, SAD, PIN) appear in no error or log', async () => {
    logged.length = 0;
    knobs.signHashAnswer = [
      400,
      {
        error: 'invalid_request',
        error_description: `bad SAD ${SAD_PREFIX}1 for token ${TOKEN} with PIN ${PIN}`,
      },
    ];
    const signer = await open();
    const err = await signer.sign(digestOf('x'), ecdsaAlgorithm()).catch((e: unknown) => e);
    knobs.signHashAnswer = [200, { signatures: [`${TOKEN}${PIN}`], echo: `${SAD_PREFIX}2 ${PIN}` }];
    const err2 = await signer.sign(digestOf('x'), ecdsaAlgorithm()).catch((e: unknown) => e);
    await signer.close();
    for (const e of [err, err2]) {
      expect((e as { code?: string }).code).toMatch(/^ERR_/);
      const text = `${inspect(e, { depth: 10 })} ${JSON.stringify(e)} ${(e as Error).message}`;
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(PIN);
      expect(text).not.toMatch(/sad-quirks-\d/);
    }
    const logText = inspect(logged, { depth: 10 });
    expect(logText).not.toContain(TOKEN);
    expect(logText).not.toContain(PIN);
    expect(logText).not.toMatch(/sad-quirks-\d/);
  });
});
