import { execFileSync } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toPem } from '@thgov/pki';
import { createCertificate, generateSigningKeyPair } from '@thgov/pki/testing';
import { buildSimplePdf } from '@thgov/sandbox';
import { requireTool } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Run, tempDir, thgov } from './doctor-helpers.js';

/**
 * `thgov pdf sign --pkcs11`: the key lives on a real SoftHSM2 token made for the test; the PIN comes from the
 * environment or a file and must never be printed, whatever happens.
 */
const PIN = 'Tok3n-Pin-58214';
const LIBRARY = [
  process.env.SOFTHSM2_LIB ?? '',
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
].find((p) => p !== '' && existsSync(p));

const dir = tempDir();
const file = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('thgov pdf sign --pkcs11: usage errors (no token needed)', () => {
  it('needs a token and a key selector, and refuses two key sources', async () => {
    writeFileSync(file('in.pdf'), buildSimplePdf('Letter 3/2569', ['Usage']));
    const base = ['pdf', 'sign', file('in.pdf'), file('x.pdf'), '--skip-chain-check'];
    const noToken = await thgov([...base, '--pkcs11', '/nowhere.so', '--key-label', 'k']);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--token-label');
    const noKey = await thgov([...base, '--pkcs11', '/nowhere.so', '--token-label', 't']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--key-label');
    const both = await thgov([...base, '--pkcs11', '/nowhere.so', '--pkcs12', 'a.p12']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one key');
  }, 60_000);
});

const softhsm = requireTool('softhsm2', { why: 'thgov pdf sign --pkcs11 signs on a real PKCS#11 token' });
softhsm.describe('thgov pdf sign --pkcs11 with a SoftHSM2 token', () => {
  const env: Record<string, string> = {};
  let rootPem: string;

  // Tool-dependent setup lives here: a skipped describe's body still runs.
  beforeAll(async () => {
    if (!LIBRARY)
      throw new Error('softhsm2-util is installed but libsofthsm2.so was not found; set SOFTHSM2_LIB');
    mkdirSync(file('tokens'));
    writeFileSync(file('softhsm2.conf'), `directories.tokendir = ${file('tokens')}\nlog.level = ERROR\n`);
    env.SOFTHSM2_CONF = file('softhsm2.conf');
    const run = (args: string[]) =>
      execFileSync('softhsm2-util', args, { env: { ...process.env, ...env }, stdio: 'pipe' });
    run(['--init-token', '--free', '--label', 'saraban', '--pin', PIN, '--so-pin', `${PIN}-so`]);
    const validity = {
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
    };
    const rootKeys = await generateSigningKeyPair();
    const root = await createCertificate({
      subject: { commonName: 'CLI Token Test Root', country: 'TH' },
      publicKey: rootKeys.publicKey,
      signingKey: rootKeys.privateKey,
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
      serialNumber: 1,
      ...validity,
    });
    const officerKeys = await generateSigningKeyPair();
    const officer = await createCertificate({
      subject: { commonName: 'Token Officer', country: 'TH' },
      publicKey: officerKeys.publicKey,
      signingKey: rootKeys.privateKey,
      issuer: { certificate: root },
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      serialNumber: 2,
      ...validity,
    });
    const pkcs8 = KeyObject.from(officerKeys.privateKey as never).export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(file('key.pem'), pkcs8, { mode: 0o600 });
    run([
      '--import',
      file('key.pem'),
      '--token',
      'saraban',
      '--label',
      'director',
      '--id',
      'a1',
      '--pin',
      PIN,
    ]);
    rmSync(file('key.pem'));
    rootPem = toPem(root);
    writeFileSync(file('root.pem'), rootPem);
    writeFileSync(file('chain.pem'), toPem(officer) + rootPem);
    writeFileSync(file('letter.pdf'), buildSimplePdf('Letter 4/2569', ['To the Director']));
  }, 60_000);

  const sign = (out: string, extra: string[], more: Record<string, string> = {}): Promise<Run> =>
    thgov(
      [
        'pdf',
        'sign',
        file('letter.pdf'),
        file(out),
        '--pkcs11',
        LIBRARY as string,
        '--token-label',
        'saraban',
        '--chain',
        file('chain.pem'),
        // The throw-away root publishes no CRL, so the pre-sign revocation check could not settle anything.
        '--skip-chain-check',
        ...extra,
      ],
      { ...env, ...more },
    );

  it('signs with the PIN from --pin-env; pdf verify passes; the PIN is printed nowhere', async () => {
    const r = await sign('env.pdf', ['--key-label', 'director', '--pin-env', 'TOKEN_PIN'], {
      TOKEN_PIN: PIN,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Token Officer');
    expect(r.stdout + r.stderr).not.toContain(PIN);
    const v = await thgov(['pdf', 'verify', '--json', '--trust', file('root.pem'), file('env.pdf')], env);
    const [report] = JSON.parse(v.stdout) as { indication: string }[];
    expect(report?.indication).toBe('TOTAL_PASSED');
  }, 60_000);

  it('signs with the PIN from --pin-file and the key chosen by --key-id', async () => {
    writeFileSync(file('pin.txt'), `${PIN}\n`, { mode: 0o600 });
    const r = await sign('file.pdf', ['--key-id', 'a1', '--pin-file', file('pin.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PIN);
    expect(readFileSync(file('file.pdf')).includes('/ETSI.CAdES.detached')).toBe(true);
  }, 60_000);

  it('a wrong PIN fails with a typed error that names neither PIN', async () => {
    const wrong = `${PIN}-wrong`;
    const r = await sign('wrong.pdf', ['--key-label', 'director'], { THGOV_PKCS11_PIN: wrong });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_ESIGN_PKCS11/);
    expect(r.stdout + r.stderr).not.toContain(PIN);
    expect(existsSync(file('wrong.pdf'))).toBe(false);
  }, 60_000);
});
