import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThaidProvider, type ThaidProvider } from '../src/digital-id/thaid-provider.js';
import { generatePopulation } from '../src/people.js';

const population = generatePopulation({ seed: 11, people: 5, companies: 0 });
let thaid: ThaidProvider;
beforeAll(async () => {
  thaid = await startThaidProvider({ population });
});
afterAll(() => thaid.close());

const packaged = (name: string) =>
  readFileSync(createRequire(import.meta.url).resolve(`@fontsource/sarabun/files/${name}`));

async function loginPage(): Promise<Response> {
  const meta = (await (await fetch(`${thaid.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
  };
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: thaid.clients.default.clientId,
    response_type: 'code',
    redirect_uri: thaid.clients.default.redirectUris[0]!,
    scope: 'openid',
    state: 'st-123456',
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return fetch(new URL(res.headers.get('location')!, thaid.url), { headers: { cookie } });
}

describe('the sandbox serves its own Thai web font (no CDN, no system font)', () => {
  it('the login page declares Sarabun from its own origin and its CSP allows exactly that', async () => {
    const res = await loginPage();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("font-src 'self'");
    const html = await res.text();
    expect(html).toContain('font-family:Sarabun');
    const urls = [...html.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(urls).toContain('/assets/fonts/sarabun-thai-400-normal.woff2');
    for (const u of urls) expect(u.startsWith('/assets/fonts/')).toBe(true);
    expect(html).toContain('id="note-th"');
  });

  it('serves the packaged WOFF2 bytes for every declared face', async () => {
    const html = await (await loginPage()).text();
    const urls = [...new Set([...html.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1]!))];
    expect(urls.length).toBe(4);
    for (const u of urls) {
      const res = await fetch(new URL(u, thaid.url));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('font/woff2');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.subarray(0, 4).toString('latin1')).toBe('wOF2');
      expect(body.equals(packaged(u.split('/').pop()!))).toBe(true);
    }
  });

  it('serves nothing else from the package or the disk', async () => {
    for (const path of [
      '/assets/fonts/sarabun-vietnamese-400-normal.woff2',
      '/assets/fonts/../package.json',
      '/assets/fonts/%2e%2e%2fpackage.json',
      '/assets/fonts/',
      '/assets/fonts/sarabun-thai-400-normal.woff',
    ]) {
      const res = await fetch(`${thaid.url}${path}`);
      expect([400, 404], path).toContain(res.status);
      expect(res.headers.get('content-type'), path).not.toBe('font/woff2');
    }
    const post = await fetch(`${thaid.url}/assets/fonts/sarabun-thai-400-normal.woff2`, { method: 'POST' });
    expect(post.status).toBe(404);
  });
});
