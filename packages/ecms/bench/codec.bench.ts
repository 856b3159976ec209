// Codec benchmark: encode+decode of a letter carrying a 10 MB PDF, against fast-xml-parser doing the
// same parse+build on the same document and against the base64 floor; peak memory as a multiple of the
// payload, measured in a fresh child process (10 MB PDF, and 50 MB of attachments).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { decodeRequest, encodeRequest, type LetterInput } from '../src/index.js';

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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => unknown, runs: number): number {
  fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

function line(bench: string, unit: string, value: number, baseline: string, baselineValue: number): void {
  process.stdout.write(
    `${JSON.stringify({ bench, unit, value: +value.toFixed(2), baseline, baselineValue: +baselineValue.toFixed(2), ratio: +(value / baselineValue).toFixed(3) })}\n`,
  );
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
  const pdf = payload(10 * MB, 7);
  const l = letter(pdf);
  const xml = encodeRequest({ op: 'sendLetter', letter: l }, { to: TO });
  const xmlText = xml.toString('utf8');
  const runs = 7;

  // Interleaved, so machine load hits both sides alike.
  const t1: number[] = [];
  const f1: number[] = [];
  for (let i = 0; i < runs; i++) {
    t1.push(time(() => roundTrip(l), 1));
    f1.push(time(() => Buffer.from(pdf.toString('base64'), 'base64'), 1));
  }
  const thgov = median(t1);
  const floor = median(f1);
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });
  const builder = new XMLBuilder({ ignoreAttributes: false });
  const fxp = time(() => builder.build(parser.parse(xmlText)), 3);

  line('ecms.codec.encode+decode.10MB-pdf', 'ms', thgov, 'fast-xml-parser parse+build (same document)', fxp);
  line(
    'ecms.codec.encode+decode.10MB-pdf.vs-floor',
    'ms',
    thgov,
    'base64 encode+decode of the PDF (floor)',
    floor,
  );
  line('ecms.codec.peak-memory.10MB-pdf', 'x payload', memoryMultiple(10), 'target multiple', 10);
  line('ecms.codec.peak-memory.50MB-attachments', 'x payload', memoryMultiple(50), 'target multiple', 10);
}
