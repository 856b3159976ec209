import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Sandbox, startSandbox } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? null : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// The demo starts its own sandbox with the default seed; the same seed gives the same credentials and
// people, so this one tells the test what must never appear in the output.
let sb: Sandbox;
let ok: Run;
beforeAll(async () => {
  sb = await startSandbox();
  ok = await runDemo();
}, 90_000);
afterAll(async () => {
  await sb?.close();
});

function expectNothingSecret(run: Run): void {
  const out = run.stdout + run.stderr;
  const secrets = [
    ...sb.gdx.consumers.flatMap((c) => [c.consumerKey, c.consumerSecret]),
    sb.thaid.clients.default.clientSecret,
    sb.thaid.apiKey,
    sb.csc.signingClient.clientSecret,
    ...sb.csc.officers.map((o) => o.pin),
    ...Object.values(sb.catalog.accounts).map((a) => a.token),
  ];
  for (const s of secrets) expect(out).not.toContain(s);
  for (const p of sb.population.people) expect(out).not.toContain(p.citizenId);
  expect(out).not.toMatch(/\b\d{13}\b/);
  // No token (JWTs start with eyJ) and no audit HMAC secret.
  expect(out).not.toMatch(/eyJ[\w-]{10,}/);
  expect(out).not.toMatch(/demo-audit-[0-9a-f-]{36}/);
  expect(out).not.toMatch(/demo-chain-[0-9a-f-]{36}/);
}

describe('pnpm demo', () => {
  it('tells the whole story and exits 0', () => {
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const out = ok.stdout;
    for (const step of [
      /1\. Start the sandbox/,
      /2\. An officer logs in with ThaID/,
      /3\. The agency looks a citizen up through GDX/,
      /4\. The officer signs the letter PDF remotely, authorised with digital ID/,
      /5\. The signed letter goes over e-CMS/,
      /6\. A university transcript is verified/,
      /7\. The agency publishes open data to its catalog/,
      /8\. The audit log is verified/,
    ])
      expect(out).toMatch(step);
    expect(out.match(/✓ \d+(\.\d)? m?s/g)).toHaveLength(8);
    expect(out).toMatch(/approved 1 document hash at digital ID \(scope credential\); officer1-rsa signed/);
    expect(out).toMatch(/letter PDF signed: PAdES B-LT/);
    expect(out).toMatch(/letter PDF signature TOTAL_PASSED, level B-LT, signed \d{4}-\d\d-\d\dT/);
    expect(out).not.toContain('✗');
    expect(out).toMatch(/id_token verified/);
    expect(out).toMatch(/AgentID x-xxxx-xxxxx-\d\d-\d/);
    expect(out).toMatch(/purpose "verify applicant identity/);
    const registered = /stored → dequeued → acknowledged → registered, เลขทะเบียนรับ (\d+\/25\d\d)/;
    expect(out).toMatch(registered);
    const number = registered.exec(out)?.[1];
    expect(out).toContain(
      `notifiers receive, accept; submitting → submitted → received → registered, number ${number}`,
    );
    expect(out).toMatch(/original: TOTAL_PASSED/);
    expect(out).toMatch(/tampered copy .*: TOTAL_FAILED \/ HASH_FAILURE/);
    expect(out).toMatch(/reason: step 7 cms: messageDigest does not match/);
    expect(out).toMatch(/4 records \(gdx, ecms, transcript\)/);
    expect(out).toMatch(/citizen IDs in clear: 0/);
    expect(out).toMatch(/offline check of a draft: 1 error, geo_coverage: /);
    expect(out).toMatch(/file sent as data\.csv \(CSV\), 4 rows read back from the DataStore/);
    expect(out).toMatch(
      /GD Catalog: VALIDATE, published copy https:\/\/gdcatalog\.go\.th\/dataset\/gdpublish-/,
    );
    expect(out).toMatch(/✓ demo passed: 8 steps in/);
  });

  it('prints no secret, token or unmasked citizen ID', () => {
    expectNothingSecret(ok);
  });

  it('exits 1 with the typed error when a step fails, and still prints no secret', async () => {
    const run = await runDemo(['--break', 'gdx']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ failed after .*ERR_GDX_AUTH/);
    expect(run.stdout).toMatch(/✗ demo FAILED at step 3/);
    expect(run.stdout).not.toMatch(/4\. The officer signs/);
    expectNothingSecret(run);
  });

  it('exits 1 with ERR_CATALOG_AUTH when the catalog refuses the token', async () => {
    const run = await runDemo(['--break', 'catalog']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ failed after .*ERR_CATALOG_AUTH/);
    expectNothingSecret(run);
  });

  it('exits 1 when the audit log was edited', async () => {
    const run = await runDemo(['--break', 'audit']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ERR_AUDIT_CHAIN: audit log broken: line 1 edited/);
  });

  it('exits 2 on an unknown option value', async () => {
    const run = await runDemo(['--break', 'everything']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: demo/);
  });
});
