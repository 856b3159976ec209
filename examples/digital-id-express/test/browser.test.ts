import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startExample } from './setup.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('end to end in headless Chromium through the ThaID-like sandbox provider', () => {
  let running: Running;
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    // No skip: CI installs Debian chromium (.ci/run); a missing browser is a failure.
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`).toBe(true);
    running = await startExample();
    userDataDir = mkdtempSync(join(tmpdir(), 'thgov-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 900, height: 700 },
    });
  });

  afterAll(async () => {
    await context?.close();
    await running?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('logs in, shows the profile (screenshot saved), and logs out', async () => {
    const { baseUrl, citizen } = running;
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.click('#login');

    // The provider's login page: pick the test citizen.
    await page.waitForSelector('#citizenId');
    expect(new URL(page.url()).origin).toBe(running.thaid.url);
    await page.selectOption('#citizenId', citizen.citizenId);
    await Promise.all([page.waitForURL(`${baseUrl}/profile`), page.click('#login')]);

    expect(await page.textContent('#name-th')).toBe(
      `${citizen.title.th}${citizen.firstName.th} ${citizen.lastName.th}`,
    );
    expect(await page.textContent('#name-en')).toBe(
      `${citizen.title.en} ${citizen.firstName.en} ${citizen.lastName.en}`,
    );
    const masked = (await page.textContent('#citizen-id')) ?? '';
    expect(masked.endsWith(citizen.citizenId.slice(12))).toBe(true);
    expect(await page.textContent('#ial')).toBe('2.3');
    expect(await page.content()).not.toContain(citizen.citizenId);

    const cookies = await context.cookies(baseUrl);
    const sid = cookies.find((c) => c.name === 'sid');
    expect(sid?.httpOnly).toBe(true);
    expect(sid?.sameSite).toBe('Lax');

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'profile.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);

    // Logout: the app's CSRF-protected form, then the provider's confirmation.
    await page.click('#logout');
    await page.waitForSelector('#logout-yes');
    await Promise.all([page.waitForURL(`${baseUrl}/?signedOut`), page.click('#logout-yes')]);
    expect(await page.textContent('#signed-out')).toContain('signed out');

    await page.goto(`${baseUrl}/profile`);
    expect(new URL(page.url()).pathname).toBe('/');
  });
});
