// Signature-check benchmark: decoding a fetched letter with its per-item signature check as the client runs it
// (structure, digest and signature, the check that what verified is the letter, then the signer's path and its
// revocation from a supplied CRL with @thgov/pki) against decoding the same answer without one, in the same run,
// interleaved rounds. Median wall time and CPU time per operation (process.cpuUsage) with their spread, as JSON
// lines. Then the peak memory of each, for the 10 MB letter (1 MB in a quick run), each in a fresh child process
// that reads the answer's bytes from a file, as a multiple of the PDF's size.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCrl } from '@thgov/pki';
import { compareRounds, emitBenchLine, peakMemoryMeter, sized } from '@thgov/testkit/bench';
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

/** The verification options: the root and both CRLs, from a file when a child process runs (`--memory`). */
interface Context {
  rootPem: string;
  crls: string[];
}

function verifyOptions(ctx: Context) {
  return {
    policy: 'require' as const,
    trustAnchors: [ctx.rootPem],
    revocation: { crls: ctx.crls.map((b64) => parseCrl(Buffer.from(b64, 'base64'))) },
  };
}

/** What `EcmsClient.fetchNext` does with a letter item: the synchronous checks, then who signed. */
async function decodeAndVerify(
  xml: string | Uint8Array,
  verify: ReturnType<typeof verifyOptions>,
): Promise<string> {
  const { item, verified } = decodeInboundItem(xml, { verify });
  if (item?.kind !== 'letter' || !verified) return 'refused';
  await confirmSigner(verified.signature, verified.departmentId, verify);
  return verified.signature.evidence.revocation?.[0]?.status ?? 'not checked';
}

/**
 * Child mode: `--memory <signed|unsigned> <dir> <pdfBytes>`. Decodes (and verifies) the small answer once, so
 * compiling is not counted, then the large one read as bytes; prints the peak RSS growth over the PDF's size.
 */
async function memoryChild(mode: string, dir: string, pdfBytes: number): Promise<void> {
  const verify = verifyOptions(JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8')) as Context);
  const run = async (xml: Uint8Array) => {
    if (mode === 'signed') {
      if ((await decodeAndVerify(xml, verify)) !== 'good') throw new Error('the letter did not verify');
    } else if (decodeInboundResponse(xml)?.kind !== 'letter') throw new Error('no letter decoded');
  };
  await run(readFileSync(join(dir, 'small.xml')));
  const meter = peakMemoryMeter();
  meter.start();
  await run(readFileSync(join(dir, 'large.xml')));
  process.stdout.write(
    `${JSON.stringify({ multiple: meter.growthBytes() / pdfBytes, source: meter.source })}\n`,
  );
}

const memArg = process.argv.indexOf('--memory');
if (memArg !== -1) {
  const [mode, dir, bytes] = process.argv.slice(memArg + 1);
  await memoryChild(mode as string, dir as string, Number(bytes));
  process.exit(0);
}

const chain = standardChain();
const context: Context = {
  rootPem: chain.root.pem,
  crls: [await crlOf(chain.ca), await crlOf(chain.root)].map((d) => Buffer.from(d).toString('base64')),
};
const verify = verifyOptions(context);

for (const [label, size, runs] of [
  ['100KB', 100 * 1024, sized(15, 3)],
  ['1MB', MB, sized(9, 2)],
  ['10MB', 10 * MB, sized(5, 1)],
] as const) {
  const xml = answer(size, chain);
  if ((await decodeAndVerify(xml, verify)) !== 'good') throw new Error('bench letter does not verify');
  emitBenchLine(
    await compareRounds({
      bench: `ecms.signature.decode+verify.${label}-pdf`,
      kind: 'time',
      unit: 'ms',
      baseline: 'decode without signature check (same answer)',
      opsPerRound: runs,
      rounds: sized(5, 2),
      thgov: async () => {
        for (let i = 0; i < runs; i++) await decodeAndVerify(xml, verify);
      },
      baselineSide: () => {
        for (let i = 0; i < runs; i++) decodeInboundResponse(xml);
      },
    }),
  );
}

/** Peak RSS of decoding the `size` letter's answer, signed (with its check) and unsigned, in fresh children. */
function memoryLine(size: number, label: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-ecms-sig-bench-'));
  try {
    writeFileSync(join(dir, 'context.json'), JSON.stringify(context));
    writeFileSync(join(dir, 'small.xml'), answer(1024, chain));
    writeFileSync(join(dir, 'large.xml'), answer(size, chain));
    const self = fileURLToPath(import.meta.url);
    const multiple = (mode: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--memory', mode, dir, String(size)], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`memory child (${mode}) exited ${r.status}: ${r.stderr}`);
      return (JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as { multiple: number }).multiple;
    };
    const signed = multiple('signed');
    const unsigned = multiple('unsigned');
    emitBenchLine({
      bench: `ecms.signature.peak-memory.decode+verify.${label}-pdf`,
      unit: 'x payload',
      value: +signed.toFixed(2),
      baseline: 'decode without signature check (same answer, fresh process)',
      baselineValue: +unsigned.toFixed(2),
      ratio: +(signed / unsigned).toFixed(3),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

memoryLine(sized(10, 1) * MB, sized('10MB', '1MB'));
