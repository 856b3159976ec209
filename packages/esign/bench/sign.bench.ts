/**
 * Signing throughput of esign's B-B against a same-run baseline of @signpdf/signpdf signing the same file with
 * the same key (the legacy PKCS#12 fixture, which both read), B-T and B-LT as their own figures with the local
 * TSA's share, and the verification median per document. JSON lines, wall time and CPU (process.cpuUsage) per
 * operation. Run: node --import tsx bench/sign.bench.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import { pkcs12Signer, signPdf, verifyPdfSignatures } from '@thgov/esign';
import type { TimeStampFunction } from '@thgov/pki';
import { createSigningPki, letterPdf, signerFor } from '../test/helpers/pki.js';

const RUNS = 30;
const p12 = readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'pkcs12', 'officer-legacy.p12'));
const letter = await letterPdf();

interface Figure {
  wallMsPerOp: number;
  cpuMsPerOp: number;
}

async function measure(op: () => Promise<unknown>): Promise<Figure> {
  for (let i = 0; i < 3; i++) await op();
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < RUNS; i++) await op();
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { wallMsPerOp: wall / RUNS, cpuMsPerOp: (used.user + used.system) / 1000 / RUNS };
}

const line = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const round = (n: number) => Number(n.toFixed(3));

// B-B: esign vs @signpdf, same file, same key. Each operation opens the PKCS#12 file and signs, as a signing
// service handling one request does (@signpdf's P12Signer cannot be reused: node-forge consumes its buffer).
const esignBB = await measure(() =>
  signPdf(letter, { signer: pkcs12Signer(new Uint8Array(p12), 'thgov-test'), skipChainCheck: true }),
);
const signpdf = new SignPdf();
const baseline = await measure(async () => {
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: Buffer.from(letter),
    reason: 'bench',
    contactInfo: '',
    name: 'bench',
    location: '',
    signatureLength: 8192,
  });
  return signpdf.sign(withPlaceholder, new P12Signer(Buffer.from(p12), { passphrase: 'thgov-test' }));
});
line({
  bench: 'esign-sign-B-B',
  unit: 'ms/op',
  value: round(esignBB.wallMsPerOp),
  cpuMsPerOp: round(esignBB.cpuMsPerOp),
  baseline: '@signpdf/signpdf (plain placeholder, P12Signer), same file and key',
  baselineValue: round(baseline.wallMsPerOp),
  baselineCpuMsPerOp: round(baseline.cpuMsPerOp),
  // Throughput ratio: > 1 means esign signs more documents per second.
  ratio: round(baseline.wallMsPerOp / esignBB.wallMsPerOp),
});

// B-T and B-LT with the in-process test TSA: its share of the time is measured by wrapping it.
const pki = await createSigningPki();
let tsaMs = 0;
const timedTsa: TimeStampFunction = async (req) => {
  const t = performance.now();
  try {
    return await pki.tsa(req);
  } finally {
    tsaMs += performance.now() - t;
  }
};
for (const level of ['B-T', 'B-LT'] as const) {
  tsaMs = 0;
  const fig = await measure(() =>
    signPdf(letter, {
      signer: signerFor(pki, pki.officer),
      level,
      tsa: timedTsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    }),
  );
  line({
    bench: `esign-sign-${level}`,
    unit: 'ms/op',
    value: round(fig.wallMsPerOp),
    cpuMsPerOp: round(fig.cpuMsPerOp),
    tsaShare: round(tsaMs / (RUNS + 3) / fig.wallMsPerOp),
  });
}

// Verification median per document (a B-LT file).
const blt = await signPdf(letter, {
  signer: signerFor(pki, pki.officer),
  level: 'B-LT',
  tsa: pki.tsa,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
});
const times: number[] = [];
const cpu = process.cpuUsage();
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  const r = await verifyPdfSignatures(blt, { trustAnchors: [pki.root.cert] });
  times.push(performance.now() - t);
  if (r.indication !== 'TOTAL_PASSED') throw new Error(`the bench file did not verify: ${r.indication}`);
}
const used = process.cpuUsage(cpu);
times.sort((a, b) => a - b);
line({
  bench: 'esign-verify-B-LT-median',
  unit: 'ms',
  value: round(times[Math.floor(times.length / 2)]!),
  cpuMsPerOp: round((used.user + used.system) / 1000 / RUNS),
});
