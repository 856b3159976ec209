// Signature-check benchmark: decoding a fetched letter with its per-item signature check as the client runs it
// (structure, digest and signature, the check that what verified is the letter, then the signer's path and its
// revocation from a supplied CRL with @thgov/pki) against decoding the same answer without one, in the same run,
// interleaved rounds. Median wall time and CPU time per operation (process.cpuUsage) with their spread, as JSON
// lines.
import { parseCrl } from '@thgov/pki';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import { decodeInboundItem } from '../src/codec/inbound.js';
import { decodeInboundResponse } from '../src/codec.js';
import { encodeGovernmentDocument, type LetterInput, signGovernmentDocument } from '../src/index.js';
import { confirmSigner } from '../src/signature/verify.js';
import { standardChain } from '../test/helpers/certs.js';
import { crlOf } from '../test/helpers/revocation.js';

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
const verify = {
  policy: 'require' as const,
  trustAnchors: [chain.root.pem],
  revocation: { crls: [parseCrl(await crlOf(chain.ca)), parseCrl(await crlOf(chain.root))] },
};

/** What `EcmsClient.fetchNext` does with a letter item: the synchronous checks, then who signed. */
async function decodeAndVerify(xml: string): Promise<string> {
  const { item, verified } = decodeInboundItem(xml, { verify });
  if (item?.kind !== 'letter' || !verified) return 'refused';
  await confirmSigner(verified.signature, verified.departmentId, verify);
  return verified.signature.evidence.revocation?.[0]?.status ?? 'not checked';
}

for (const [label, size, runs] of [
  ['100KB', 100 * 1024, sized(15, 3)],
  ['1MB', MB, sized(9, 2)],
  ['10MB', 10 * MB, sized(5, 1)],
] as const) {
  const xml = answer(size, chain);
  if ((await decodeAndVerify(xml)) !== 'good') throw new Error('bench letter does not verify');
  emitBenchLine(
    await compareRounds({
      bench: `ecms.signature.decode+verify.${label}-pdf`,
      kind: 'time',
      unit: 'ms',
      baseline: 'decode without signature check (same answer)',
      opsPerRound: runs,
      rounds: sized(5, 2),
      thgov: async () => {
        for (let i = 0; i < runs; i++) await decodeAndVerify(xml);
      },
      baselineSide: () => {
        for (let i = 0; i < runs; i++) decodeInboundResponse(xml);
      },
    }),
  );
}
