// Attack: one agency key is trusted by several servers (two platforms, two tenants of one gateway, production and
// a staging copy). A request the agency signed for server X covered the method, path, query, body digest and
// request ID, but not where it was sent: anyone who saw it (a log, a proxy, server X itself) could replay it once to
// server Y, whose replay cache had never seen its jti, and Y accepted it as the agency's.
// Fix: the signer binds the target authority (`aud` in the JWS protected header, covered by the signature); a
// verifier with `expectedAuthority` refuses a signature bound elsewhere, or bound nowhere.
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flattenedVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createRequestSigner,
  createSignatureVerifier,
  isThGovError,
  type SignatureVerifier,
  type SignatureVerifierOptions,
} from '../../src/index.js';
import { canonicalSigningInput } from '../../src/signing/canonical.js';
import { computeContentDigest } from '../../src/signing/content-digest.js';
import { transportHarness } from '../helpers/transport-harness.js';

const { serve, transport } = transportHarness();

const agency = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createRequestSigner({ key: agency.privateKey, kid: 'agency-a', alg: 'ES256' });
const body = '{"amount":100,"to":"1234"}';
const request = { method: 'POST', target: '/pay?to=1', body, requestId: 'req-1' };

function verifier(extra: Partial<SignatureVerifierOptions> = {}): SignatureVerifier {
  return createSignatureVerifier({ keys: [{ kid: 'agency-a', key: agency.publicKey }], ...extra });
}

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'accepted',
    (e: unknown) => (isThGovError(e) ? `${e.code}: ${e.message}` : `crash: ${String(e)}`),
  );
}

function protectedHeader(signature: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(signature.split('.')[0]!, 'base64url').toString('utf8'));
}

async function signedFor(authority: string | undefined) {
  const { headers } = await signer.sign({ ...request, ...(authority ? { authority } : {}) });
  const sent: Record<string, string> = { ...headers, 'x-request-id': request.requestId };
  return { ...request, headers: sent };
}

describe('a signed request is bound to the authority it was sent to', () => {
  it('replayed to another server: refused there, though its replay cache never saw it', async () => {
    const serverX = verifier({ expectedAuthority: 'api.x.example.go.th' });
    const serverY = verifier({ expectedAuthority: 'api.y.example.go.th' });
    const msg = await signedFor('api.x.example.go.th');
    expect(await outcome(serverX.verify(msg))).toBe('accepted');
    expect(await outcome(serverY.verify(msg))).toMatch(/^ERR_JWS_INVALID: .*another authority/);
  });

  it('the signer binds the authority as `aud` in the protected header, normalised', async () => {
    for (const [given, bound] of [
      ['API.X.Example.go.th', 'api.x.example.go.th'],
      ['api.x.example.go.th:443', 'api.x.example.go.th'],
      ['api.x.example.go.th:8443', 'api.x.example.go.th:8443'],
      ['https://API.x.example.go.th:443/ignored?x=1', 'api.x.example.go.th'],
      ['http://127.0.0.1:80', '127.0.0.1'],
      ['[::1]:9000', '[::1]:9000'],
      ['ตัวอย่าง.ไทย', 'xn--72c1a1bt4awk9o.xn--o3cw4h'],
    ] as const) {
      const msg = await signedFor(given);
      expect(protectedHeader(msg.headers['x-jws-signature']!).aud, given).toBe(bound);
    }
  });

  it('a full-URL target binds its authority without being told', async () => {
    const { headers } = await signer.sign({ ...request, target: 'https://api.x.example.go.th/pay?to=1' });
    expect(protectedHeader(headers['x-jws-signature']!).aud).toBe('api.x.example.go.th');
    const msg = { ...request, headers: { ...headers, 'x-request-id': request.requestId } };
    expect(await outcome(verifier({ expectedAuthority: 'api.x.example.go.th' }).verify(msg))).toBe(
      'accepted',
    );
    expect(await outcome(verifier({ expectedAuthority: 'api.y.example.go.th' }).verify(msg))).toMatch(
      /another authority/,
    );
  });

  it('a target URL and an authority that disagree are a programming error', async () => {
    await expect(
      signer.sign({
        ...request,
        target: 'https://api.x.example.go.th/pay',
        authority: 'api.y.example.go.th',
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  it('the binding cannot be edited: an `aud` rewritten to the other server breaks the signature', async () => {
    const msg = await signedFor('api.x.example.go.th');
    const [h, , sig] = msg.headers['x-jws-signature']!.split('.');
    const header = { ...JSON.parse(Buffer.from(h!, 'base64url').toString()), aud: 'api.y.example.go.th' };
    const forged = `${Buffer.from(JSON.stringify(header)).toString('base64url')}..${sig}`;
    const serverY = verifier({ expectedAuthority: 'api.y.example.go.th' });
    expect(
      await outcome(serverY.verify({ ...msg, headers: { ...msg.headers, 'x-jws-signature': forged } })),
    ).toMatch(/^ERR_JWS_INVALID: The detached JWS signature does not verify/);
  });

  it('with an expectation set, a signature bound to no authority is refused (it could be replayed anywhere)', async () => {
    const msg = await signedFor(undefined);
    expect(protectedHeader(msg.headers['x-jws-signature']!).aud).toBeUndefined();
    expect(await outcome(verifier({ expectedAuthority: 'api.x.example.go.th' }).verify(msg))).toMatch(
      /^ERR_JWS_INVALID: .*not bound to an authority/,
    );
  });

  it('a verifier may expect several authorities (one server under several names)', async () => {
    const server = verifier({
      expectedAuthority: ['api.x.example.go.th', 'https://x-internal.example.go.th'],
    });
    expect(await outcome(server.verify(await signedFor('x-internal.example.go.th')))).toBe('accepted');
    expect(await outcome(server.verify(await signedFor('api.x.example.go.th')))).toBe('accepted');
    expect(await outcome(server.verify(await signedFor('api.y.example.go.th')))).toMatch(/another authority/);
  });

  it('a malformed `aud` is refused even without an expectation', async () => {
    const { privateKey } = agency;
    const { FlattenedSign } = await import('jose');
    const payload = canonicalSigningInput({
      direction: 'request',
      method: 'POST',
      target: request.target,
      contentDigest: computeContentDigest(body),
      requestId: request.requestId,
    });
    for (const aud of [['api.x.example.go.th'], 'api.x/path', '', 42]) {
      const jws = await new FlattenedSign(payload)
        .setProtectedHeader({
          alg: 'ES256',
          kid: 'agency-a',
          b64: false,
          crit: ['b64'],
          iat: Math.floor(Date.now() / 1000),
          jti: `jti-${String(aud).length}-${Math.random()}`,
          aud,
        } as never)
        .sign(privateKey);
      const headers = {
        'content-digest': computeContentDigest(body),
        'x-jws-signature': `${jws.protected}..${jws.signature}`,
        'x-request-id': request.requestId,
      };
      expect(await outcome(verifier().verify({ ...request, headers })), JSON.stringify(aud)).toMatch(
        /^ERR_JWS_INVALID: .*aud/,
      );
    }
  });

  it('the verified result names the authority the signature is bound to', async () => {
    const result = await verifier().verify(await signedFor('api.x.example.go.th'));
    expect(result.authority).toBe('api.x.example.go.th');
    const unbound = await verifier().verify(await signedFor(undefined));
    expect(unbound.authority).toBeUndefined();
  });

  it('bad expectedAuthority configuration is a coded TypeError', () => {
    for (const bad of ['', 'a b', 'host/path', 'user@host', 'ftp://host', [], [''], 42]) {
      expect(() => verifier({ expectedAuthority: bad as never }), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
      );
    }
  });
});

describe('wire compatibility', () => {
  it('the signing input is unchanged: a verifier that ignores `aud` (an older release) still verifies', async () => {
    const msg = await signedFor('api.x.example.go.th');
    const [h, , sig] = msg.headers['x-jws-signature']!.split('.');
    // What 0.1.0's verifier computes: the same canonical lines, no authority among them.
    const payload = canonicalSigningInput({
      direction: 'request',
      method: 'POST',
      target: request.target,
      contentDigest: computeContentDigest(body),
      requestId: request.requestId,
    });
    const header = protectedHeader(msg.headers['x-jws-signature']!);
    expect(header.crit).toEqual(['b64']);
    await expect(
      flattenedVerify({ protected: h!, payload, signature: sig! }, agency.publicKey, {
        algorithms: ['ES256'],
      }),
    ).resolves.toBeTruthy();
  });

  it('an unbound signature (an older signer) is still accepted by a verifier without an expectation', async () => {
    expect(await outcome(verifier().verify(await signedFor(undefined)))).toBe('accepted');
  });

  it('response signatures are not affected by expectedAuthority (they are bound to the request ID)', async () => {
    const platform = createRequestSigner({ key: agency.privateKey, kid: 'agency-a', alg: 'ES256' });
    const r = { method: 'GET', target: '/r', requestId: 'req-9', status: 200, body: '{"ok":1}' };
    const { headers } = await platform.signResponse(r);
    const v = verifier({ expectedAuthority: 'api.x.example.go.th' });
    expect(await outcome(v.verifyResponse({ ...r, headers }))).toBe('accepted');
  });
});

describe('the transport binds its base URL', () => {
  /** A server that verifies signed requests as a platform would, expecting `authority` (or its own address). */
  async function verifyingServer(expect?: string) {
    const seen: string[] = [];
    let v: SignatureVerifier | undefined;
    const s = await serve(async (req: IncomingMessage, res: ServerResponse) => {
      try {
        await v!.verify({ method: req.method ?? '', target: req.url ?? '', headers: req.headers });
        seen.push('accepted');
        res.writeHead(200).end('{}');
      } catch (err) {
        seen.push((err as { code?: string }).code ?? 'crash');
        res.writeHead(401).end('{}');
      }
    });
    v = verifier({ expectedAuthority: expect ?? new URL(s.url).host });
    return { s, seen };
  }

  it('its requests carry aud = the base URL authority and pass a server that expects it', async () => {
    const { s, seen } = await verifyingServer();
    const t = transport({ baseUrl: `${s.url}/prefix`, signer, retry: false });
    await t.request({ method: 'GET', path: '/x' });
    expect(seen).toEqual(['accepted']);
    const sent = s.requests[0]!.headers['x-jws-signature'] as string;
    expect(protectedHeader(sent).aud).toBe(new URL(s.url).host);
  });

  it('the same signed headers replayed to a second server (another port) are refused there', async () => {
    const x = await verifyingServer();
    const y = await verifyingServer();
    const t = transport({ baseUrl: x.s.url, signer, retry: false });
    await t.request({ method: 'GET', path: '/x' });
    const captured = x.s.requests[0]!.headers;
    const replay = await fetch(`${y.s.url}/x`, {
      headers: {
        'x-jws-signature': String(captured['x-jws-signature']),
        'content-digest': String(captured['content-digest']),
        'x-request-id': String(captured['x-request-id']),
      },
    });
    expect(replay.status).toBe(401);
    expect(y.seen).toEqual(['ERR_JWS_INVALID']);
  });
});
