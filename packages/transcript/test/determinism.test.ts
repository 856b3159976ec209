import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportPkcs8Pem } from '@thgov/pki';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'thgov-determinism-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A machine that looks different in every way a font lookup or a date could notice: its own HOME (with,
 * for one of them, a decoy "Sarabun"/"Garuda" that is really the bold face in ~/.fonts and an XDG data
 * dir), another time zone and locale.
 */
function machine(name: string, env: Record<string, string>, decoys: boolean): Record<string, string> {
  const home = join(tmp, name);
  const decoy = createRequire(import.meta.url).resolve(
    '@expo-google-fonts/sarabun/700Bold/Sarabun_700Bold.ttf',
  );
  for (const dir of [join(home, '.fonts'), join(home, 'share', 'fonts', 'truetype')]) {
    mkdirSync(dir, { recursive: true });
    if (!decoys) continue;
    copyFileSync(decoy, join(dir, 'Sarabun-Regular.ttf'));
    copyFileSync(decoy, join(dir, 'Garuda.ttf'));
  }
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_DATA_HOME: join(home, 'share'),
    XDG_DATA_DIRS: join(home, 'share'),
    ...env,
  };
}

describe('issuing is deterministic across machines', () => {
  it('two processes with different HOME, font dirs, TZ and locale write byte-identical transcripts', async () => {
    const pki = await createTestPki(new Date('2026-03-01T00:00:00Z'));
    const job = join(tmp, 'job.json');
    writeFileSync(
      job,
      JSON.stringify({
        keyPem: await exportPkcs8Pem(pki.signer.key),
        chain: [pki.signer.cert, pki.ca.cert].map((c) => Buffer.from(c).toString('base64')),
        signingTime: '2026-03-15T09:30:00Z',
        xml: SAMPLE_XML,
        student: { nameTh: 'นางสาวสมศรี ใจดี', nameEn: 'Ms Somsri Jaidee' },
        institution: 'มหาวิทยาลัยทดสอบ Test University',
      }),
    );
    const envs = [
      machine('a', { TZ: 'UTC', LANG: 'C', LC_ALL: 'C' }, false),
      machine(
        'b',
        {
          TZ: 'Asia/Bangkok',
          LANG: 'th_TH.UTF-8',
          LC_ALL: 'th_TH.UTF-8',
          FONTCONFIG_FILE: join(tmp, 'no-such-fonts.conf'),
        },
        true,
      ),
    ];
    const outputs = await Promise.all(
      envs.map(async (env, i) => {
        const out = join(tmp, `out-${i}.pdf`);
        await run(process.execPath, ['--import', 'tsx', 'test/fixtures/issue-in-child.ts', job, out], {
          env,
          cwd: join(import.meta.dirname, '..'),
          timeout: 120_000,
        });
        return readFileSync(out);
      }),
    );
    const [a, b] = outputs as [Buffer, Buffer];
    expect(a.length).toBeGreaterThan(10_000);
    // RSA PKCS#1 v1.5 signatures are deterministic too, so with a fixed key and clock the whole file matches.
    expect(Buffer.compare(a, b)).toBe(0);
    // Only machine b has the decoy fonts, so equal bytes mean no font was looked up on the machine.
    const text = a.toString('latin1');
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+Sarabun-Regular/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+Sarabun-Bold/);
  }, 180_000);
});
