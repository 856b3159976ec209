import { X509Certificate } from 'node:crypto';
import { decodeCertificates } from '@thgov/pki';
import type { ThgovConfig } from '../config/schema.js';
import { InputFileError, readFailure, readInputFile } from '../read-input-file.js';
import { SANDBOX_CONFIG_MARK } from '../sandbox/sandbox-config.js';
import { CheckFailure, type CheckRunner, type Outcome } from './runner.js';
import { isSandboxCertificate, isSandboxConfig } from './sandbox-trust.js';
import type { DoctorSettings } from './settings.js';

const cn = (x: X509Certificate) => /CN=([^\n,]+)/.exec(x.subject)?.[1] ?? x.subject.split('\n')[0] ?? '';
const day = (d: string) => new Date(d).toISOString().slice(0, 10);

async function readAnchor(file: string, key: string): Promise<X509Certificate[]> {
  let bytes: Uint8Array;
  try {
    // A regular file within the verifier's limit: a FIFO would block the check, /dev/zero fill memory.
    bytes = await readInputFile(file);
  } catch (err) {
    throw new CheckFailure(`cannot read ${file}${readFailure(err)}`, {
      cause:
        err instanceof InputFileError
          ? 'A trust anchor must be a regular file within the verification limit (50 MiB).'
          : 'The trust anchor file is missing or not readable.',
      fix: `Fix ${key} (relative paths are relative to the configuration file).`,
      errorCode: 'ERR_CLI_CONFIG_FILE',
    });
  }
  try {
    const certs = decodeCertificates(bytes).map((der) => new X509Certificate(der));
    if (certs.length === 0) throw new Error('no certificate found');
    return certs;
  } catch (err) {
    throw new CheckFailure(`${file} is not a certificate: ${(err as Error).message}`, {
      cause: 'The file holds no X.509 certificate in PEM, DER or a PKCS#7 bundle (a key or a CSR?).',
      fix: `Export the CA certificate as PEM and point ${key} at it.`,
    });
  }
}

/** One trust anchor file: readable, certificates only, CAs only, valid now, not a sandbox root in production. */
async function anchorOutcome(
  file: string,
  key: string,
  sandbox: boolean,
  s: DoctorSettings,
): Promise<Outcome> {
  const certs = await readAnchor(file, key);
  const notCa = certs.find((x) => !x.ca);
  if (notCa) {
    throw new CheckFailure(`"${cn(notCa)}" is not a CA certificate (no basicConstraints CA:TRUE)`, {
      cause:
        'A signer (end-entity) certificate was configured as a trust anchor: only that one signer would be trusted, and path validation may refuse it.',
      fix: `Point ${key} at the issuing CA (the university CA or the national root), not at the signer certificate.`,
    });
  }
  const now = Date.now();
  const days = certs.map((x) => ({
    x,
    days: Math.floor((new Date(x.validTo).getTime() - now) / 86_400_000),
  }));
  const soonest = days.reduce((a, b) => (b.days < a.days ? b : a));
  const data = { certificates: certs.length, daysLeft: soonest.days, subject: cn(soonest.x) };
  if (soonest.days < 0) {
    throw new CheckFailure(`"${cn(soonest.x)}" expired on ${day(soonest.x.validTo)}`, {
      cause: 'An expired trust anchor makes every transcript it issued INDETERMINATE.',
      fix: 'Get the renewed CA certificate from the issuer and replace the file.',
      data,
    });
  }
  const notYet = certs.find((x) => new Date(x.validFrom).getTime() > now);
  if (notYet) {
    throw new CheckFailure(
      `"${cn(notYet)}" is not valid before ${new Date(notYet.validFrom).toISOString()}`,
      {
        cause: 'The certificate is not valid yet, or this machine clock is behind.',
        fix: 'Check the system clock.',
        data,
      },
    );
  }
  const test = sandbox ? undefined : certs.find(isSandboxCertificate);
  if (test) {
    return {
      status: 'warn',
      message: `"${cn(test)}" is a thgov sandbox test root, trusted by a configuration for the real platforms`,
      cause:
        'Transcripts signed under a sandbox root are test data: whoever ran that sandbox could sign transcripts this verifier accepts.',
      fix: `Remove it from ${key}; keep sandbox roots in a configuration used only against the sandbox.`,
      data: { ...data, sandboxRoot: true },
    };
  }
  if (soonest.days < s.expiryWarningDays) {
    return {
      status: 'warn',
      message: `"${cn(soonest.x)}" expires in ${soonest.days} days`,
      cause: 'The trust anchor is close to its expiry.',
      fix: 'Get the renewed CA certificate from the issuer before it expires.',
      data,
    };
  }
  return { message: `${certs.map(cn).join(', ')}: CA, valid for ${soonest.days} more days`, data };
}

/** One check per trust anchor file of the `transcript` section. */
export async function checkTranscript(r: CheckRunner, config: ThgovConfig, s: DoctorSettings): Promise<void> {
  const c = config.transcript;
  if (!c) return;
  const sandbox = isSandboxConfig(config, SANDBOX_CONFIG_MARK);
  const files = [
    ...c.trustAnchors.map((f, i) => ({
      file: f,
      key: `transcript.trustAnchors[${i}]`,
      id: `transcript.trustAnchor.${i}`,
    })),
    ...(c.tsaTrustAnchors ?? []).map((f, i) => ({
      file: f,
      key: `transcript.tsaTrustAnchors[${i}]`,
      id: `transcript.tsaTrustAnchor.${i}`,
    })),
  ];
  for (const { file, key, id } of files) {
    await r.run({ id, platform: 'transcript', title: `transcript: trust anchor ${key}` }, () =>
      anchorOutcome(file, key, sandbox, s),
    );
  }
}
