import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CscClient, cscSigner } from '../src/index.js';

const TOKEN = 'service-token-that-must-stay-secret-8c1f';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('cscSigner and CscClient options', () => {
  it('refuses unknown keys, a missing service token, a non-URL and a non-function callback, naming the key only', async () => {
    const auth = { serviceToken: TOKEN };
    for (const bad of [
      { serviceUrl: 'http://127.0.0.1:1/csc/v2', credentialId: 'x', auth, timeout: 5 },
      { serviceUrl: 'http://127.0.0.1:1/csc/v2', credentialId: 'x', auth: {} },
      { serviceUrl: 'not a url', credentialId: 'x', auth },
      { serviceUrl: 'http://127.0.0.1:1/csc/v2', credentialId: '', auth },
      { serviceUrl: 'http://127.0.0.1:1/csc/v2', credentialId: 'x', auth: { ...auth, authData: 'PIN 1234' } },
      { serviceUrl: 'http://127.0.0.1:1/csc/v2', credentialId: 'x', auth: { ...auth, pin: '1234' } },
    ]) {
      const err = await rejection(cscSigner(bad as never));
      expect(err).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG');
      expect((err as Error).message).toMatch(/^cscSigner options/);
      expect((err as Error).message).not.toContain(TOKEN);
    }
    expect(() => new CscClient({ serviceUrl: 'ftp://x', extra: 1 } as never)).toThrow(TypeError);
  });

  it('a service that cannot be reached is a typed network error that does not carry the token', async () => {
    const port = await closedPort();
    const err = await rejection(
      cscSigner({
        serviceUrl: `http://127.0.0.1:${port}/csc/v2`,
        credentialId: 'x',
        auth: { serviceToken: TOKEN },
        retry: false,
      }),
    );
    expect((err as { code?: string }).code).toBe('ERR_NETWORK');
    expect(`${inspect(err, { depth: 8 })} ${JSON.stringify(err)}`).not.toContain(TOKEN);
  });
});
