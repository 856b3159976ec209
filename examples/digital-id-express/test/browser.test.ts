import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedBrowser, launchBrowser } from './helpers/browser.js';
import { checkThaiGlyphs } from './helpers/thai-glyphs.js';
import { type Running, startExample } from './setup.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts');

/** The screenshot shows Sarabun's Thai glyphs: checked on pixels, not on font metadata. */
async function expectLegibleThai(context: BrowserContext, page: Page, selector: string): Promise<void> {
  const check = await checkThaiGlyphs(context, page, selector);
  const detail = JSON.stringify(check);
  expect(check.ink, `${selector}: ink in the screenshot ${detail}`).toBeGreaterThan(200);
  // The two references must differ, or the comparison could not tell Thai glyphs from boxes.
  expect(check.sarabunVsFallback, `${selector}: references differ ${detail}`).toBeLessThan(0.5);
  expect(check.matchSarabun, `${selector}: matches Sarabun ${detail}`).toBeGreaterThan(0.9);
  expect(check.matchFallback, `${selector}: unlike the fallback ${detail}`).toBeLessThan(
    check.matchSarabun - 0.25,
  );
}

// No skip anywhere: the browser comes from npm (or CHROME_PATH, or a system Chrome) and the Thai font is
// the sandbox's own web font, so this runs on a machine with only Node and npm.
describe('end to end in headless Chromium through the ThaID-like sandbox provider', () => {
  let running: Running;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    running = await startExample();
    browser = await launchBrowser({ viewport: { width: 900, height: 700 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('logs in, shows the profile (screenshots saved and checked for Thai glyphs), and logs out', async () => {
    const { baseUrl, citizen } = running;
    const { context } = browser;
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.click('#login');

    // The provider's login page: Thai in the sandbox's web font, then pick the test citizen.
    await page.waitForSelector('#citizenId');
    expect(new URL(page.url()).origin).toBe(running.thaid.url);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'login.png'), fullPage: true });
    await expectLegibleThai(context, page, '#note-th');
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

    const shot = join(ARTIFACTS, 'profile.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    await expectLegibleThai(context, page, '#name-th');

    // Logout: the app's CSRF-protected form, then the provider's confirmation.
    await page.click('#logout');
    await page.waitForSelector('#logout-yes');
    await Promise.all([page.waitForURL(`${baseUrl}/?signedOut`), page.click('#logout-yes')]);
    expect(await page.textContent('#signed-out')).toContain('signed out');

    await page.goto(`${baseUrl}/profile`);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('the check can fail: fallback glyphs, or another weight of Sarabun, do not pass as the page font', async () => {
    const page = await browser.context.newPage();
    // Pages of the app's origin whose Thai is not regular Sarabun: no web font (fallback), or the bold
    // face declared as weight 400 (same design, other strokes).
    const pages: Record<string, string> = {
      fallback: 'font-family:ThgovNoSuchFont',
      bold: 'font-family:Impostor',
    };
    for (const [name, css] of Object.entries(pages)) {
      await page.route(`${running.baseUrl}/check-${name}`, (route) =>
        route.fulfill({
          contentType: 'text/html; charset=utf-8',
          body: `<!DOCTYPE html><html lang="th"><head><style>@font-face{font-family:Impostor;font-weight:400;src:url(/assets/sarabun/files/sarabun-thai-800-normal.woff2)}</style></head><body style="${css};font-size:16px"><p id="t">นางสาวสมศรี ใจดี</p></body></html>`,
        }),
      );
      await page.goto(`${running.baseUrl}/check-${name}`);
      const check = await checkThaiGlyphs(browser.context, page, '#t');
      if (name === 'bold') expect(check.ink, name).toBeGreaterThan(200);
      expect(check.matchSarabun, `${name}: ${JSON.stringify(check)}`).toBeLessThan(0.9);
    }
    await page.close();
  });
});
