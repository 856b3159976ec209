/**
 * In-process verification time of a typical transcript (strict policy, signature time-stamp, CRLs in
 * revocationInfoArchival), against one `pdfsig` process checking the same file.
 * Run after a build: node --import tsx bench/verify.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyTranscript } from '../src/index.js';
import { issueGood } from '../test/fixtures/generate.js';
import { createTestPki } from '../test/helpers/pki.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const pki = await createTestPki();
const pdf = await issueGood(pki);
const trust = [pki.root.cert];
for (let i = 0; i < 5; i++) await verifyTranscript(pdf, { trust });
const ours: number[] = [];
for (let i = 0; i < 40; i++) {
  const t = performance.now();
  const r = await verifyTranscript(pdf, { trust });
  ours.push(performance.now() - t);
  if (r.indication !== 'TOTAL_PASSED') throw new Error(`bench file did not verify: ${r.indication}`);
}
const dir = mkdtempSync(join(tmpdir(), 'thgov-bench-'));
const file = join(dir, 't.pdf');
writeFileSync(file, pdf);
const theirs: number[] = [];
if (spawnSync('pdfsig', ['-v']).status === 0) {
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    spawnSync('pdfsig', ['-nocert', file]);
    theirs.push(performance.now() - t);
  }
}
rmSync(dir, { recursive: true, force: true });
const value = median(ours);
const baselineValue = theirs.length ? median(theirs) : Number.NaN;
process.stdout.write(
  `${JSON.stringify({ bench: 'transcript-verify-in-process-median', unit: 'ms', value: Number(value.toFixed(2)), baseline: 'pdfsig-one-process-no-cert-check', baselineValue: Number(baselineValue.toFixed(2)), ratio: Number((value / baselineValue).toFixed(3)) })}\n`,
);
