/**
 * Path validation with revocation (root → CA → signer, two CRLs) against a same-run baseline: pkijs's own
 * CertificateChainValidationEngine on the same path, which checks less (no pathLen, EKU, algorithm policy or
 * revocation). Prints one JSON line per figure, with wall-clock medians and CPU time per operation.
 * Run after a build: node --import tsx bench/validate.bench.ts
 */
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { parseCrl, validateCertificatePath } from '../src/index.js';
import { createHierarchy } from '../test/helpers/hierarchy.js';

pkijs.setEngine('bench', new pkijs.CryptoEngine({ name: 'bench', crypto: webcrypto as never }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall-clock median (ms) and CPU time per operation (ms, user + system) over `n` runs after a warm-up. */
async function measure(n: number, op: () => Promise<unknown>): Promise<{ median: number; cpu: number }> {
  for (let i = 0; i < 10; i++) await op();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op();
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  return { median: median(times), cpu: (cpu.user + cpu.system) / 1000 / n };
}

const h = await createHierarchy();
const crls = [parseCrl(await h.crl(h.ca)), parseCrl(await h.crl(h.root))];
const ours = await measure(200, async () => {
  const r = await validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls },
  });
  if (r.indication !== 'PASSED') throw new Error(`bench path did not validate: ${r.message}`);
});
const parse = (der: Uint8Array) => pkijs.Certificate.fromBER(Uint8Array.from(der).buffer);
const theirs = await measure(200, async () => {
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [parse(h.root.cert)],
    certs: [parse(h.ca.cert), parse(h.signer.cert)],
    checkDate: h.now,
  });
  const r = await engine.verify();
  if (!r.result) throw new Error('baseline path did not validate');
});
const line = (bench: string, value: number, baselineValue: number, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ bench, unit: 'ms', value: Number(value.toFixed(3)), baseline: 'pkijs-CertificateChainValidationEngine-no-revocation', baselineValue: Number(baselineValue.toFixed(3)), ratio: Number((value / baselineValue).toFixed(3)), ...extra })}\n`,
  );
line('pki-validate-path-with-crls-median', ours.median, theirs.median);
line('pki-validate-path-with-crls-cpu-per-op', ours.cpu, theirs.cpu);
