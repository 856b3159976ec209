import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DigitalIdClient } from '@thgov/digital-id';
import { createPkcs12 } from '@thgov/pki/testing';
import {
  buildSimplePdf,
  type CscService,
  type DgaProvider,
  generatePopulation,
  SandboxBrowser,
  type SandboxPki,
  startCscService,
  startDgaProvider,
  startSandboxPki,
} from '@thgov/sandbox';
import { flipByte, loginAs } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, run } from '../src/index.js';
import { type Run, tempDir, thgov } from './doctor-helpers.js';

/**
 * `thgov pdf sign|extend|verify` against real files: a PKCS#12 holding a key of the sandbox PKI, its TSA, OCSP
 * responder and CRLs on 127.0.0.1, and the sandbox CSC service for remote signing.
 */
const PASSPHRASE = 'p12-Passphrase-7431';
const population = generatePopulation({ seed: 5, people: 4, companies: 1 });
let pki: SandboxPki;
let dir: string;
let p12: string;
let root: string;
let letter: string;

beforeAll(async () => {
  pki = await startSandboxPki();
  dir = tempDir();
  p12 = join(dir, 'officer.p12');
  writeFileSync(
    p12,
    await createPkcs12(
      pki.signer.privateKey,
      [pki.signer.certificate, pki.issuingCa.certificate],
      PASSPHRASE,
    ),
  );
  root = join(dir, 'root.pem');
  writeFileSync(root, pki.rootPem);
  letter = join(dir, 'letter.pdf');
  writeFileSync(letter, buildSimplePdf('Letter 12/2569', ['To the Director', 'Please approve.']));
}, 60_000);

afterAll(async () => {
  await pki?.close();
});

/** In-process run, capturing what is printed; `stdin` lines are produced on demand. */
async function cli(args: string[], stdin?: () => Promise<string>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...(stdin
      ? {
          stdin: (async function* () {
            yield `${await stdin()}\n`;
          })(),
        }
      : {}),
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

interface Report {
  indication: string;
  subIndication?: string;
  signatures: { kind: string; level?: string; indication: string; signer?: { subject: string } }[];
}

async function verifyJson(file: string): Promise<Report> {
  const r = await cli(['pdf', 'verify', '--json', '--trust', root, file]);
  return (JSON.parse(r.stdout) as Report[])[0]!;
}

describe('thgov pdf sign / extend / verify with a PKCS#12 file', () => {
  it('signs at B-LT with the sandbox TSA and OCSP; pdf verify reports TOTAL_PASSED at B-LT', async () => {
    const out = join(dir, 'b-lt.pdf');
    process.env.THGOV_TEST_P12_PASS = PASSPHRASE;
    const r = await cli([
      'pdf',
      'sign',
      letter,
      out,
      '--pkcs12',
      p12,
      '--passphrase-env',
      'THGOV_TEST_P12_PASS',
      '--level',
      'B-LT',
      '--tsa',
      `${pki.url}/tsa`,
      '--trust',
      root,
      '--reason',
      'Approved',
    ]);
    delete process.env.THGOV_TEST_P12_PASS;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(B-LT, ');
    const report = await verifyJson(out);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures.filter((s) => s.kind === 'signature').map((s) => s.level)).toEqual(['B-LT']);
    const table = await cli(['pdf', 'verify', '--trust', root, out]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^FILE\s+INDICATION\s+SUB-INDICATION\s+SIGNER\s+LEVEL/);
    expect(table.stdout).toContain('B-LT');
    expect(table.stdout.trimEnd().split('\n').at(-1)).toBe('1 TOTAL_PASSED, 0 TOTAL_FAILED, 0 INDETERMINATE');
  });

  it('B-B signed (as a process, passphrase from a file), extended to B-LTA, verified with a JUnit report', async () => {
    const passFile = join(dir, 'pass.txt');
    writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    const bb = join(dir, 'b-b.pdf');
    const signed = await thgov([
      'pdf',
      'sign',
      letter,
      bb,
      '--pkcs12',
      p12,
      '--passphrase-file',
      passFile,
      '--trust',
      root,
    ]);
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    expect(`${signed.stdout}${signed.stderr}`).not.toContain(PASSPHRASE);
    expect((await verifyJson(bb)).signatures[0]?.level).toBe('B-B');
    const lta = join(dir, 'b-lta.pdf');
    const extended = await cli([
      'pdf',
      'extend',
      bb,
      lta,
      '--level',
      'B-LTA',
      '--tsa',
      `${pki.url}/tsa`,
      '--trust',
      root,
    ]);
    expect(extended.code).toBe(0);
    const junit = join(dir, 'verify.xml');
    const v = await cli(['pdf', 'verify', '--trust', root, '--junit', junit, lta]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('B-LTA');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('classname="thgov.pdf.verify"');
    expect(xml).toContain('tests="1" failures="0" errors="0"');
  });

  it('a tampered signed PDF is TOTAL_FAILED (exit 1); a wrong passphrase is ERR_ESIGN_PKCS12_PASSWORD and never printed', async () => {
    const good = readFileSync(join(dir, 'b-lt.pdf'));
    const bad = join(dir, 'tampered.pdf');
    writeFileSync(bad, flipByte(new Uint8Array(good), good.indexOf('Please approve.')));
    const v = await cli(['pdf', 'verify', '--json', '--trust', root, bad]);
    expect(v.code).toBe(1);
    expect((JSON.parse(v.stdout) as Report[])[0]?.indication).toBe('TOTAL_FAILED');
    const wrong = 'not-the-Passphrase-99';
    const r = await thgov(['pdf', 'sign', letter, join(dir, 'never.pdf'), '--pkcs12', p12, '--trust', root], {
      THGOV_PKCS12_PASSPHRASE: wrong,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_ESIGN_PKCS12_PASSWORD');
    expect(`${r.stdout}${r.stderr}`).not.toContain(wrong);
  });

  it.each([
    [['--level', 'B-T', '--trust', 'ROOT'], /--level B-T needs --tsa/],
    [['--trust', 'ROOT'], /not set: set THGOV_PKCS12_PASSPHRASE/],
    [[], /--trust FILE .* or --skip-chain-check/],
    [['--trust', 'ROOT', '--csc', 'http://127.0.0.1:9/csc/v2'], /one key/],
    [['--trust', 'ROOT', '--visible', '1,2,3'], /X1,Y1,X2,Y2/],
    [['--trust', 'ROOT', '--passphrase', 'x'], /unknown option '--passphrase'/],
  ])('usage error %#: exit 2 with ERR_INVALID_ARG', async (extra, message) => {
    const args = extra.map((a) => (a === 'ROOT' ? root : a));
    const saved = process.env.THGOV_PKCS12_PASSPHRASE;
    delete process.env.THGOV_PKCS12_PASSPHRASE;
    const r = await cli(['pdf', 'sign', letter, join(dir, 'never.pdf'), '--pkcs12', p12, ...args]);
    if (saved !== undefined) process.env.THGOV_PKCS12_PASSPHRASE = saved;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_INVALID_ARG');
    expect(r.stderr).toMatch(message);
  });

  it('--visible places a signature appearance (embedded font) on the page; the signature still verifies', async () => {
    const out = join(dir, 'visible.pdf');
    process.env.THGOV_PKCS12_PASSPHRASE = PASSPHRASE;
    const r = await cli([
      'pdf',
      'sign',
      letter,
      out,
      '--pkcs12',
      p12,
      '--trust',
      root,
      '--visible',
      '50,50,300,120',
      '--position',
      'ผู้อำนวยการกอง / Director',
    ]);
    delete process.env.THGOV_PKCS12_PASSPHRASE;
    expect(r.code).toBe(0);
    const bytes = readFileSync(out).toString('latin1');
    expect(bytes).toContain('/Rect [50 50 300 120]');
    expect(bytes).toContain('/FontFile2');
    expect((await verifyJson(out)).indication).toBe('TOTAL_PASSED');
  });

  it('--help of each command comes from the usage text', async () => {
    for (const c of ['sign', 'extend', 'verify']) {
      const r = await cli(['pdf', c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: thgov pdf ${c}`);
    }
  });
});

describe('thgov pdf sign --csc (the sandbox remote signing service)', () => {
  let dga: DgaProvider;
  let csc: CscService;
  let serviceToken: string;

  beforeAll(async () => {
    dga = await startDgaProvider({ population });
    csc = await startCscService({ pki, dga, people: population.people, seed: 5, officers: 1 });
    const app = csc.signingClient;
    const client = new DigitalIdClient({
      provider: 'dga',
      issuer: dga.issuer,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      redirectUri: app.redirectUris[0]!,
      claimsSource: 'id_token',
      dangerouslyAllowInsecureHttp: true,
    });
    const officer = population.people[0]!;
    const login = await loginAs(client, new SandboxBrowser(), officer.citizenId, { scopes: ['service'] });
    serviceToken = (await client.handleCallback(login.callbackUrl, { expectedState: login.state })).tokens
      .accessToken;
    await client.close();
  }, 60_000);

  afterAll(async () => {
    await csc?.close();
    await dga?.close();
  });

  it('signs at B-T with a PIN + OTP credential (PIN from a file, OTP typed); pdf verify passes at B-T', async () => {
    const pinFile = join(dir, 'pin.txt');
    writeFileSync(pinFile, csc.officers[0]!.pin, { mode: 0o600 });
    process.env.THGOV_TEST_CSC_TOKEN = serviceToken;
    const out = join(dir, 'remote.pdf');
    const otp = async () => {
      const res = await fetch(`${csc.url}/sandbox/otp/officer1-p256`);
      return ((await res.json()) as { otp: string }).otp;
    };
    const r = await cli(
      [
        'pdf',
        'sign',
        letter,
        out,
        '--csc',
        csc.url,
        '--credential',
        'officer1-p256',
        '--csc-token-env',
        'THGOV_TEST_CSC_TOKEN',
        '--pin-file',
        pinFile,
        '--level',
        'B-T',
        '--tsa',
        `${pki.url}/tsa`,
        '--trust',
        root,
      ],
      otp,
    );
    delete process.env.THGOV_TEST_CSC_TOKEN;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Enter the OTP');
    expect(`${r.stdout}${r.stderr}`).not.toContain(csc.officers[0]!.pin);
    const report = await verifyJson(out);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.level).toBe('B-T');
  });

  it('a wrong PIN fails with ERR_ESIGN_CSC_PIN (exit 1) and the PIN is not printed', async () => {
    process.env.THGOV_TEST_CSC_TOKEN = serviceToken;
    process.env.THGOV_TEST_CSC_PIN = '00990099';
    const r = await cli(
      [
        'pdf',
        'sign',
        letter,
        join(dir, 'never.pdf'),
        '--csc',
        csc.url,
        '--credential',
        'officer1-p256',
        '--csc-token-env',
        'THGOV_TEST_CSC_TOKEN',
        '--pin-env',
        'THGOV_TEST_CSC_PIN',
        '--trust',
        root,
      ],
      async () => '123456',
    );
    delete process.env.THGOV_TEST_CSC_TOKEN;
    delete process.env.THGOV_TEST_CSC_PIN;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_ESIGN_CSC_PIN');
    expect(`${r.stdout}${r.stderr}`).not.toContain('00990099');
  });
});
