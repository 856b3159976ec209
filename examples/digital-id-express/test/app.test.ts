import { SandboxBrowser } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startExample } from './setup.js';

describe('example app over HTTP (no browser)', () => {
  let dev: Running;
  let https: Running;
  const nodeEnv = process.env.NODE_ENV;
  beforeAll(async () => {
    // NODE_ENV says nothing about the scheme: production on plain http, unset on https.
    process.env.NODE_ENV = 'production';
    dev = await startExample();
    delete process.env.NODE_ENV;
    https = await startExample({ publicBaseUrl: 'https://eservice.agency.example' });
  });
  afterAll(async () => {
    process.env.NODE_ENV = nodeEnv;
    await dev.close();
    await https.close();
  });

  it('the session cookie follows the site scheme: HttpOnly, SameSite=Lax; Secure and __Host- on https', async () => {
    const d = (await fetch(`${dev.baseUrl}/login`, { redirect: 'manual' })).headers.get('set-cookie') ?? '';
    expect(d).toMatch(/^sid=[\w-]{43}; /);
    expect(d).toMatch(/HttpOnly/);
    expect(d).toMatch(/SameSite=Lax/);
    expect(d).not.toMatch(/Secure/);
    // Behind a TLS-terminating proxy the app is reached over http; its public URL is https.
    const p = (await fetch(`${https.baseUrl}/login`, { redirect: 'manual' })).headers.get('set-cookie') ?? '';
    expect(p).toMatch(/^__Host-sid=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    expect(p).not.toMatch(/Domain=/i);
  });

  it('refuses a logout POST without the CSRF token', async () => {
    const res = await fetch(`${dev.baseUrl}/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=guess',
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
  });

  it('refuses a callback that was not started in this browser session (login CSRF)', async () => {
    // The attacker starts a login in their own session and sends the victim the callback URL.
    const attacker = await fetch(`${dev.baseUrl}/login`, { redirect: 'manual' });
    const outcome = await new SandboxBrowser().login(attacker.headers.get('location')!, {
      citizenId: dev.citizen.citizenId,
    });
    if (outcome.kind !== 'redirect') throw new Error('expected a redirect');
    const victim = await fetch(outcome.url, { redirect: 'manual' });
    expect(victim.status).toBe(400);
    expect(await victim.text()).toContain('NO_LOGIN_IN_PROGRESS');
  });

  it('never sends provider tokens to the browser', async () => {
    const jar = new Map<string, string>();
    const get = async (url: string) => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { redirect: 'manual', headers: { cookie } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      return res;
    };
    const start = await get(`${dev.baseUrl}/login`);
    const outcome = await new SandboxBrowser().login(start.headers.get('location')!, {
      citizenId: dev.citizen.citizenId,
    });
    if (outcome.kind !== 'redirect') throw new Error('expected a redirect');
    const cb = await get(outcome.url);
    expect(cb.status).toBe(303);
    expect(cb.headers.get('location')).toBe('/profile');
    const profile = await get(`${dev.baseUrl}/profile`);
    const html = await profile.text();
    expect(html).toContain(dev.citizen.firstName.th);
    expect(html).not.toContain(dev.citizen.citizenId);
    // Tokens are JWT-shaped (ey…) or long opaque strings; the page and the cookies carry none.
    expect(html).not.toMatch(/eyJ[\w-]{10,}/);
    for (const value of jar.values()) expect(value.length).toBeLessThan(80);
  });
});
