/**
 * In-process verification time of a typical transcript (strict policy, signature time-stamp, CRLs in
 * revocationInfoArchival), against one `pdfsig` process checking the same file (its CPU is the exited child's,
 * from /proc/self/stat: 10 ms resolution, summed over a round). Interleaved rounds after three warm-up rounds,
 * medians and spread.
 * Without pdfsig on PATH the line says `baselineMissing: "pdfsig"` (and the run fails under CI=true).
 * Run after a build: node --import tsx bench/verify.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRounds, emitBenchLine, missingBaselineTool, sized } from '@thgov/testkit/bench';
import { verifyTranscript } from '@thgov/transcript';
import { issueGood } from '../test/fixtures/generate.js';
import { createTestPki } from '../test/helpers/pki.js';

const OPS = sized(16, 2);
const pki = await createTestPki();
const pdf = await issueGood(pki);
const trust = [pki.root.cert];
const dir = mkdtempSync(join(tmpdir(), 'thgov-bench-'));
const file = join(dir, 't.pdf');
writeFileSync(file, pdf);
const missing = missingBaselineTool('pdfsig');
try {
  const line = await compareRounds({
    bench: 'transcript-verify-in-process-median',
    kind: 'time',
    unit: 'ms',
    baseline: 'pdfsig-one-process-no-cert-check',
    opsPerRound: OPS,
    rounds: sized(5, 2),
    // A verifier service is warm: three rounds let V8 compile the parsers before anything is measured.
    warmupRounds: sized(3, 1),
    thgov: async () => {
      for (let i = 0; i < OPS; i++) {
        const r = await verifyTranscript(pdf, { trust });
        if (r.indication !== 'TOTAL_PASSED') throw new Error(`bench file did not verify: ${r.indication}`);
      }
    },
    ...(missing
      ? { baselineMissing: missing }
      : {
          baselineSide: () => {
            for (let i = 0; i < OPS; i++) {
              const r = spawnSync('pdfsig', ['-nocert', file]);
              if (r.status !== 0) throw new Error(`pdfsig exited ${r.status}`);
            }
          },
        }),
    target: 'value <= 8',
  });
  emitBenchLine({ ...line, fileBytes: pdf.length });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
