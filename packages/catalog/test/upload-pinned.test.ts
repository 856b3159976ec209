import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pinnedTo, recordingAccess } from '../src/upload/pinned.js';
import { bytesAccess, type UploadSource } from '../src/upload/source.js';

/** A source sending `bytes` in chunks of `chunk` bytes. */
function sourceOf(bytes: Buffer, chunk: number): UploadSource {
  return {
    size: bytes.length,
    sample: bytes.subarray(0, 16),
    sampleIsWhole: false,
    replayable: true,
    async *open() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    },
  };
}

class Changed extends Error {}
const changed = (): never => {
  throw new Changed('changed');
};

/** Reads `ranges` of `scanned` as a scan would, then sends `sent`: the chunks that left, and whether it was stopped. */
async function send(scanned: Buffer, sent: Buffer, ranges: Array<[number, number]>, chunk = 1000) {
  const read = recordingAccess(bytesAccess(scanned));
  for (const [at, n] of ranges) await read.read(at, n);
  const out: Uint8Array[] = [];
  try {
    for await (const c of pinnedTo(sourceOf(sent, chunk), read, changed).open()) out.push(c);
    return { chunks: out.length, stopped: false };
  } catch (err) {
    if (!(err instanceof Changed)) throw err;
    return { chunks: out.length, stopped: true };
  }
}

const file = randomBytes(10_000);
// Overlapping ranges, ranges across chunk boundaries, one inside a chunk, the last bytes (a ZIP's end record).
const RANGES: Array<[number, number]> = [
  [9_978, 22],
  [0, 30],
  [10, 2_500],
  [2_400, 100],
  [4_321, 1],
  [6_000, 3_900],
  [9_000, 5_000],
];

describe('bytes sent held to the ranges a scan read', () => {
  it('sends every chunk when nothing changed', async () => {
    for (const chunk of [1, 7, 1000, 4096, 20_000]) {
      expect(await send(file, file, RANGES, chunk)).toEqual({
        chunks: Math.ceil(10_000 / chunk),
        stopped: false,
      });
    }
  });

  it('stops before the last chunk when one byte of a range changed, wherever it is', async () => {
    for (const at of [0, 29, 999, 1000, 2_450, 4_321, 6_000, 9_999]) {
      const other = Buffer.from(file);
      other[at] = (other[at] as number) ^ 1;
      const r = await send(file, other, RANGES);
      expect(r.stopped, `byte ${at}`).toBe(true);
      expect(r.chunks).toBeLessThan(10);
    }
  });

  it('stops a file that grew or shrank, even by one byte', async () => {
    expect((await send(file, Buffer.concat([file, Buffer.from([0])]), RANGES)).stopped).toBe(true);
    const shorter = await send(file, file.subarray(0, 9_999), RANGES);
    expect(shorter).toMatchObject({ stopped: true });
    expect(shorter.chunks).toBeLessThan(10);
  });

  it('does not check bytes no range covered (they were not scanned either)', async () => {
    const other = Buffer.from(file);
    other[5_000] = (other[5_000] as number) ^ 1;
    expect(await send(file, other, RANGES)).toEqual({ chunks: 10, stopped: false });
  });
});
