import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { npmChromium } from './npm-chromium.js';

/**
 * Finds and launches a headless Chromium for browser tests, in this order: an explicit `CHROME_PATH`, the
 * Chromium shipped on npm (`@sparticuz/chromium`, x64 Linux), a system Chrome or Chromium. Self-contained
 * (imports only playwright-core and ./npm-chromium.ts) so it can move to a shared test-kit package.
 */
export interface FoundBrowser {
  executablePath: string;
  source: 'CHROME_PATH' | 'npm' | 'system';
  env: Record<string, string>;
  description: string;
}

/** Well-known system locations. Snap wrappers (/snap/bin, Ubuntu's chromium-browser shim) are left out. */
const SYSTEM_BROWSERS: Record<string, string[]> = {
  linux: [
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/usr/bin/chromium',
    '/usr/lib/chromium/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ],
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBrowser(): FoundBrowser {
  const explicit = process.env.CHROME_PATH;
  if (explicit) {
    // An explicit choice that does not work is an error, not a reason to pick another browser silently.
    if (!executable(explicit)) throw new Error(`CHROME_PATH=${explicit} is not an executable file`);
    return {
      executablePath: explicit,
      source: 'CHROME_PATH',
      env: {},
      description: `CHROME_PATH (${explicit})`,
    };
  }
  const npm = npmChromium();
  if (npm) return { ...npm, source: 'npm' };
  const system = (SYSTEM_BROWSERS[process.platform] ?? []).find(executable);
  if (system) return { executablePath: system, source: 'system', env: {}, description: system };
  throw new Error(
    `No browser found for ${process.platform}/${process.arch}: set CHROME_PATH to a Chrome or Chromium ` +
      '(the npm Chromium, @sparticuz/chromium, covers x64 Linux only).',
  );
}

/** Flags for a closed network: nothing phones home, no first-run UI, no sync, a fresh profile. */
export function chromiumFlags(browser: FoundBrowser): string[] {
  const flags = [
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-domain-reliability',
    '--metrics-recording-only',
  ];
  // Root cannot use the setuid sandbox; the npm build ships no sandbox helper and Ubuntu 24.04's AppArmor
  // forbids the user-namespace sandbox for binaries it does not know. Tests only visit 127.0.0.1 pages.
  if (process.getuid?.() === 0 || browser.source === 'npm') flags.push('--no-sandbox');
  return flags;
}

export interface LaunchedBrowser {
  browser: FoundBrowser;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless with a new empty `--user-data-dir` (removed on close).
 * @example
 * ```ts
 * const { context, close } = await launchBrowser({ viewport: { width: 900, height: 700 } });
 * try { await (await context.newPage()).goto(url); } finally { await close(); }
 * ```
 */
export async function launchBrowser(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<LaunchedBrowser> {
  const browser = findBrowser();
  const userDataDir = mkdtempSync(join(tmpdir(), 'thgov-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: browser.executablePath,
      headless: true,
      args: chromiumFlags(browser),
      env: { ...process.env, ...browser.env },
      timeout: 60_000,
      ...(options.viewport ? { viewport: options.viewport } : {}),
    });
    return {
      browser,
      context,
      close: async () => {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`Could not launch ${browser.description}`, { cause: err });
  }
}
