import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CryptoKey } from '@thgov/pki';
import { toPem } from '@thgov/pki';
import {
  createCertificate,
  createCrl,
  createOcspResponse,
  createTimeStampAuthority,
  generateSigningKeyPair,
} from '@thgov/pki/testing';
import { flipByte } from '@thgov/testkit';
import { issueTranscript } from '@thgov/transcript';

const DAY = 86_400_000;

/** A throwaway PKI and a few transcripts written to a temp directory (nothing is committed). */
export async function makeFixtures(count = 2): Promise<{
  dir: string;
  root: string;
  good: string[];
  tampered: string;
  noRevocation: string;
  /** The root's CRL (it issues the signers directly), and one that also revokes the second signer. */
  crl: string;
  revokingCrl: string;
  /** Signed by the revoked signer, time-stamped, without embedded revocation data. */
  revokedNoRevocation: string;
  /** An OCSP response, signed by the root, saying the first signer is good. */
  ocsp: string;
}> {
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
  writeFileSync(join(dir, 'tampered.pdf'), flipByte(pdf, 100));
  writeFileSync(
    join(dir, 'norev.pdf'),
    await issueTranscript({ xml: '<t/>', signer: { key: signerKp.privateKey, chain: [signer, root] } }),
  );
  await writeRevocationFixtures(dir, { root, rootKey: rootKp.privateKey, signer, now, tsa });
  return {
    dir,
    root: join(dir, 'root.pem'),
    good,
    tampered: join(dir, 'tampered.pdf'),
    noRevocation: join(dir, 'norev.pdf'),
    crl: join(dir, 'ca.crl'),
    revokingCrl: join(dir, 'revoking.crl'),
    revokedNoRevocation: join(dir, 'revoked-norev.pdf'),
    ocsp: join(dir, 'signer.ocsp'),
  };
}

/** The files of the offline-revocation cases: CRLs (PEM), an OCSP response and a revoked signer's transcript. */
async function writeRevocationFixtures(
  dir: string,
  p: {
    root: Uint8Array;
    rootKey: CryptoKey;
    signer: Uint8Array;
    now: Date;
    tsa: ReturnType<typeof createTimeStampAuthority>;
  },
): Promise<void> {
  const kp = await generateSigningKeyPair();
  const revoked = await createCertificate({
    subject: { commonName: 'CLI Revoked Registrar', country: 'TH' },
    publicKey: kp.publicKey,
    signingKey: p.rootKey,
    issuer: { certificate: p.root },
    serialNumber: 4,
    notBefore: new Date(p.now.getTime() - DAY),
    notAfter: new Date(p.now.getTime() + 30 * DAY),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
  const window = {
    thisUpdate: new Date(p.now.getTime() - 1000),
    nextUpdate: new Date(p.now.getTime() + 7 * DAY),
  };
  const crl = await createCrl({ issuerCertificate: p.root, signingKey: p.rootKey, ...window });
  const revoking = await createCrl({
    issuerCertificate: p.root,
    signingKey: p.rootKey,
    ...window,
    revoked: [{ serialNumber: 4, date: new Date(p.now.getTime() - 60_000) }],
  });
  writeFileSync(join(dir, 'ca.crl'), toPem(crl, 'X509 CRL'));
  writeFileSync(join(dir, 'revoking.crl'), revoking);
  writeFileSync(
    join(dir, 'signer.ocsp'),
    await createOcspResponse({
      certificate: p.signer,
      issuerCertificate: p.root,
      responderCertificate: p.root,
      responderKey: p.rootKey,
      status: 'good',
      ...window,
    }),
  );
  writeFileSync(
    join(dir, 'revoked-norev.pdf'),
    await issueTranscript({
      xml: '<t/>',
      signer: { key: kp.privateKey, chain: [revoked, p.root] },
      tsa: p.tsa,
    }),
  );
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
