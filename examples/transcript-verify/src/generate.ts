import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePopulation, startSandboxPki } from '@thgov/sandbox';
import { tamperTranscript } from './tamper.js';

export interface GenerateOptions {
  /** Good transcripts to issue. */
  count: number;
  /** Of those, how many to also write as a tampered copy (one byte changed). Default 0. */
  tampered?: number;
  seed?: number;
}

export interface GenerateResult {
  /** The sandbox root certificate: the trust anchor for these files (keys are new on every run). */
  rootPemPath: string;
  good: string[];
  tampered: string[];
}

export const MAX_GENERATE = 500;

/**
 * Issues transcripts from the sandbox university (a test PKI started for the occasion) into `folder`,
 * with `root.pem` next to them. File names carry a number, never the person's citizen ID.
 */
export async function generateTranscripts(folder: string, options: GenerateOptions): Promise<GenerateResult> {
  const tampered = options.tampered ?? 0;
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > MAX_GENERATE)
    throw new RangeError(`count must be an integer from 1 to ${MAX_GENERATE}`);
  if (!Number.isInteger(tampered) || tampered < 0 || tampered > options.count)
    throw new RangeError('tampered must be an integer from 0 to count');
  await mkdir(folder, { recursive: true });
  const people = generatePopulation({
    seed: options.seed ?? 2026,
    people: options.count,
    companies: 1,
  }).people;
  const pki = await startSandboxPki();
  const result: GenerateResult = { rootPemPath: join(folder, 'root.pem'), good: [], tampered: [] };
  try {
    await writeFile(result.rootPemPath, pki.rootPem);
    for (let i = 0; i < options.count; i++) {
      const person = people[i];
      if (!person) break;
      const pdf = await pki.issueSandboxTranscript(person);
      const n = String(i + 1).padStart(3, '0');
      const good = join(folder, `transcript-${n}.pdf`);
      await writeFile(good, pdf);
      result.good.push(good);
      if (i < tampered) {
        const bad = join(folder, `transcript-${n}-tampered.pdf`);
        await writeFile(bad, tamperTranscript(pdf));
        result.tampered.push(bad);
      }
    }
  } finally {
    await pki.close();
  }
  return result;
}
