import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCertificate,
  createCrl,
  createTimeStampAuthority,
  generateSigningKeyPair,
  issueTranscript,
  toPem,
} from '@thgov/transcript';

const DAY = 86_400_000;

/** A throwaway PKI and a few transcripts written to a temp directory (nothing is committed). */
export async function makeFixtures(
  count = 2,
): Promise<{ dir: string; root: string; good: string[]; tampered: string; noRevocation: string }> {
  const now = new Date();
  const rootKp = await generateSigningKeyPair();
  const root = await createCertificate({
    subject: { commonName: 'CLI Test Root', country: 'TH' },
    publicKey: rootKp.publicKey,
    signingKey: rootKp.privateKey,
    serialNumber: 1,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const signerKp = await generateSigningKeyPair();
  const signer = await createCertificate({
    subject: { commonName: 'CLI Registrar', country: 'TH' },
    publicKey: signerKp.publicKey,
    signingKey: rootKp.privateKey,
    issuer: { certificate: root },
    serialNumber: 2,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 30 * DAY),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
  const tsaKp = await generateSigningKeyPair();
  const tsaCert = await createCertificate({
    subject: { commonName: 'CLI TSA', country: 'TH' },
    publicKey: tsaKp.publicKey,
    signingKey: rootKp.privateKey,
    issuer: { certificate: root },
    serialNumber: 3,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 30 * DAY),
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
    extendedKeyUsageCritical: true,
  });
  const crl = await createCrl({
    issuerCertificate: root,
    signingKey: rootKp.privateKey,
    thisUpdate: new Date(now.getTime() - 1000),
    nextUpdate: new Date(now.getTime() + 7 * DAY),
  });
  const tsa = createTimeStampAuthority({ certificate: tsaCert, privateKey: tsaKp.privateKey });
  const dir = mkdtempSync(join(tmpdir(), 'thgov-cli-'));
  writeFileSync(join(dir, 'root.pem'), toPem(root));
  const good: string[] = [];
  for (let i = 0; i < count; i++) {
    const pdf = await issueTranscript({
      xml: `<t><n>${i}</n></t>`,
      signer: { key: signerKp.privateKey, chain: [signer, root] },
      revocation: { crls: [crl] },
      tsa,
    });
    const f = join(dir, `good-${i}.pdf`);
    writeFileSync(f, pdf);
    good.push(f);
  }
  const pdf = await issueTranscript({
    xml: '<t/>',
    signer: { key: signerKp.privateKey, chain: [signer, root] },
    revocation: { crls: [crl] },
  });
  const t = Buffer.from(pdf);
  t[100] = t[100]! ^ 0x01;
  writeFileSync(join(dir, 'tampered.pdf'), t);
  writeFileSync(
    join(dir, 'norev.pdf'),
    await issueTranscript({ xml: '<t/>', signer: { key: signerKp.privateKey, chain: [signer, root] } }),
  );
  return {
    dir,
    root: join(dir, 'root.pem'),
    good,
    tampered: join(dir, 'tampered.pdf'),
    noRevocation: join(dir, 'norev.pdf'),
  };
}

/** `thgov …` in this process (faster than a child): the exit code `run()` returns and what it wrote. */
export async function cli(
  args: string[],
  tty = false,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { run } = await import('../src/index.js');
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: tty },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty, columns: 100 },
  });
  return { code, stdout, stderr };
}

/**
 * Whether a system tool used as a second opinion is on the PATH. Tests that need one run where it is; where it
 * is not they are skipped by name, except under CI=true, where they run and fail for the missing tool.
 */
export function toolTest(tool: string): { skip: boolean; name: string } {
  const found = spawnSync(tool, ['--version'], { stdio: 'ignore' }).error === undefined;
  return {
    skip: !found && process.env.CI !== 'true',
    name: found ? tool : `${tool} (not installed: skipped)`,
  };
}
