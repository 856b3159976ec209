// Signature-check benchmark: decoding a fetched letter with its per-item signature check (structure, digest
// and signature, the check that what verified is the letter, the chain) against decoding the same answer
// without one, in the same run. Median wall time and CPU time per operation (process.cpuUsage), as JSON lines.
import {
  decodeInboundResponse,
  encodeGovernmentDocument,
  type LetterInput,
  signGovernmentDocument,
} from '../src/index.js';
import { standardChain } from '../test/helpers/certs.js';

const MB = 1024 * 1024;

function pdf(size: number): Buffer {
  const b = Buffer.alloc(size, 0x41);
  b.write('%PDF-1.7\n', 0, 'latin1');
  return b;
}

function answer(size: number, chain: ReturnType<typeof standardChain>): string {
  const letter: LetterInput = {
    id: 'สพร 0105/9999',
    correspondenceDate: '2026-11-27',
    subject: 'ขอส่งรายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. 2569',
    sender: { departmentId: '0031500001' },
    receiver: { departmentId: '1500300001' },
    mainLetter: { mimeCode: 'application/pdf', content: pdf(size) },
  };
  const doc = signGovernmentDocument(encodeGovernmentDocument(letter, { withSignatureBlock: true }), {
    privateKey: chain.signer.key.privatePem,
    certificate: chain.signer.pem + chain.ca.pem,
  });
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CorrespondenceLetterInboundResponse><ProcessID>P1</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${doc.toString('utf8')}</CorrespondenceLetterInboundResponse></soap:Body></soap:Envelope>`;
}

function measure(fn: () => unknown, runs: number): { ms: number; cpuMs: number } {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { ms: mid(wall), cpuMs: mid(cpu) };
}

const chain = standardChain();
const verify = { policy: 'require' as const, trustAnchors: [chain.root.pem] };
for (const [label, size, runs] of [
  ['100KB', 100 * 1024, 15],
  ['1MB', MB, 9],
  ['10MB', 10 * MB, 5],
] as const) {
  const xml = answer(size, chain);
  const check = decodeInboundResponse(xml, { verify });
  if (check?.kind !== 'letter' || check.verification?.status !== 'valid')
    throw new Error('bench letter does not verify');
  // Interleaved rounds, so machine load hits both sides alike.
  const withCheck: { ms: number; cpuMs: number }[] = [];
  const without: { ms: number; cpuMs: number }[] = [];
  for (let round = 0; round < 3; round++) {
    withCheck.push(measure(() => decodeInboundResponse(xml, { verify }), runs));
    without.push(measure(() => decodeInboundResponse(xml), runs));
  }
  const best = (xs: { ms: number; cpuMs: number }[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const v = best(withCheck);
  const b = best(without);
  process.stdout.write(
    `${JSON.stringify({
      bench: `ecms.signature.decode+verify.${label}-pdf`,
      unit: 'ms',
      value: +v.ms.toFixed(2),
      cpuMsPerOp: +v.cpuMs.toFixed(2),
      baseline: 'decode without signature check (same answer)',
      baselineValue: +b.ms.toFixed(2),
      baselineCpuMsPerOp: +b.cpuMs.toFixed(2),
      ratio: +(v.ms / b.ms).toFixed(3),
    })}\n`,
  );
}
