// Signature-check benchmark: decoding a fetched letter with its per-item signature check (structure, digest
// and signature, the check that what verified is the letter, the chain) against decoding the same answer
// without one, in the same run, interleaved rounds. Median wall time and CPU time per operation
// (process.cpuUsage) with their spread, as JSON lines.
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
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

const chain = standardChain();
const verify = { policy: 'require' as const, trustAnchors: [chain.root.pem] };
for (const [label, size, runs] of [
  ['100KB', 100 * 1024, sized(15, 3)],
  ['1MB', MB, sized(9, 2)],
  ['10MB', 10 * MB, sized(5, 1)],
] as const) {
  const xml = answer(size, chain);
  const check = decodeInboundResponse(xml, { verify });
  if (check?.kind !== 'letter' || check.verification?.status !== 'valid')
    throw new Error('bench letter does not verify');
  const repeat = (fn: () => unknown) => () => {
    for (let i = 0; i < runs; i++) fn();
  };
  emitBenchLine(
    await compareRounds({
      bench: `ecms.signature.decode+verify.${label}-pdf`,
      kind: 'time',
      unit: 'ms',
      baseline: 'decode without signature check (same answer)',
      opsPerRound: runs,
      rounds: sized(5, 2),
      thgov: repeat(() => decodeInboundResponse(xml, { verify })),
      baselineSide: repeat(() => decodeInboundResponse(xml)),
    }),
  );
}
