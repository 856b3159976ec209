// Codec benchmark: encode+decode of a letter carrying a 10 MB PDF, against fast-xml-parser doing the
// same parse+build on the same document and against the base64 floor (interleaved rounds, medians and spread
// of time and CPU per operation); peak memory as a multiple of the payload, measured in a fresh child process
// (10 MB PDF, and 50 MB of attachments). A quick run uses 1 MB and 20 MB.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LetterInput } from '@thgov/ecms';
import { decodeRequest, encodeRequest } from '@thgov/ecms/codec';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

const MB = 1024 * 1024;
const TO = 'http://127.0.0.1/ecms-ws01/service2';

function payload(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, Math.min(i, size - 4));
  }
  b.write('%PDF-1.7\n', 0, 'latin1');
  return b;
}

function letter(main: Buffer, attachments: Buffer[] = []): LetterInput {
  return {
    id: 'สพร 0105/9999',
    correspondenceDate: '2026-11-27',
    subject: 'ขอส่งรายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. 2569',
    speed: 'very_urgent',
    sender: { givenName: 'สมชาย', familyName: 'ใจดี', jobTitle: 'ผู้อำนวยการ', departmentId: '0031500001' },
    receiver: { jobTitle: 'อธิบดีกรมการปกครอง', departmentId: '1500300001' },
    mainLetter: { mimeCode: 'application/pdf', content: main },
    attachments: attachments.map((content) => ({ mimeCode: 'application/pdf', content })),
  };
}

function roundTrip(l: LetterInput): number {
  const xml = encodeRequest({ op: 'sendLetter', letter: l }, { to: TO });
  const back = decodeRequest(xml);
  if (back.op !== 'sendLetter') throw new Error('bad round trip');
  return back.letter.mainLetter.content.length + xml.length;
}

function line(bench: string, unit: string, value: number, baseline: string, baselineValue: number): void {
  emitBenchLine({
    bench,
    unit,
    value: +value.toFixed(2),
    baseline,
    baselineValue: +baselineValue.toFixed(2),
    ratio: +(value / baselineValue).toFixed(3),
  });
}

/** Child mode: one round trip in a fresh process; prints peak RSS growth over the payload size. */
function memoryChild(totalMb: number): void {
  const before = process.memoryUsage().rss;
  const parts =
    totalMb <= 10
      ? [payload(totalMb * MB, 1)]
      : Array.from({ length: totalMb / 10 }, (_, i) => payload(10 * MB, i + 1));
  const l = parts.length === 1 ? letter(parts[0] as Buffer) : letter(payload(64 * 1024, 99), parts);
  roundTrip(l);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ multiple: (peak - before) / (totalMb * MB) })}\n`);
}

function memoryMultiple(totalMb: number): number {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--memory', String(totalMb)], {
    encoding: 'utf8',
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(last) as { multiple: number }).multiple;
}

const memArg = process.argv.indexOf('--memory');
if (memArg !== -1) {
  memoryChild(Number(process.argv[memArg + 1]));
} else {
  const size = sized(10, 1);
  const pdf = payload(size * MB, 7);
  const l = letter(pdf);
  const xml = encodeRequest({ op: 'sendLetter', letter: l }, { to: TO });
  const xmlText = xml.toString('utf8');
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });
  const builder = new XMLBuilder({ ignoreAttributes: false });
  const common = { kind: 'time', unit: 'ms', opsPerRound: 1, rounds: sized(7, 2) } as const;
  const ours = () => roundTrip(l);

  emitBenchLine(
    await compareRounds({
      ...common,
      bench: `ecms.codec.encode+decode.${size}MB-pdf`,
      baseline: 'fast-xml-parser parse+build (same document)',
      rounds: sized(3, 2), // the baseline is slow; the floor comparison below is the one with a target
      thgov: ours,
      baselineSide: () => builder.build(parser.parse(xmlText)),
    }),
  );
  emitBenchLine(
    await compareRounds({
      ...common,
      bench: `ecms.codec.encode+decode.${size}MB-pdf.vs-floor`,
      baseline: 'base64 encode+decode of the PDF (floor)',
      thgov: ours,
      baselineSide: () => Buffer.from(pdf.toString('base64'), 'base64'),
      target: 'ratio <= 3',
    }),
  );
  line(`ecms.codec.peak-memory.${size}MB-pdf`, 'x payload', memoryMultiple(size), 'target multiple', 10);
  const attached = sized(50, 20);
  line(
    `ecms.codec.peak-memory.${attached}MB-attachments`,
    'x payload',
    memoryMultiple(attached),
    'target multiple',
    10,
  );
}
