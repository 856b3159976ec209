// A dataset metadata file that is not valid JSON: V8's parse message quotes the text around the fault, which in
// a metadata file is a maintainer's name, an e-mail, a citizen ID. The usage error names the file and the
// position only, as the configuration reader does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetadataJson } from '../../src/catalog/metadata-file.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-metadata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a metadata file that is not JSON', () => {
  it.each([
    ['a missing comma', '{\n  "maintainer": "สมชาย ใจดี"\n  "citizen": "1-2345-67890-12-1"\n}'],
    ['a bare word', '{\n  "maintainer": สมชาย ใจดี 1-2345-67890-12-1\n}'],
    ['a cut file', '{"maintainer": "สมชาย ใจดี 1-2345-67890-12-1'],
  ])('%s: the error names the file and where, quoting none of it', async (_name, text) => {
    const file = join(dir, 'dataset.json');
    writeFileSync(file, text);
    const err = (await readMetadataJson(file).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('dataset.json');
    expect(err.message).not.toMatch(/สมชาย|ใจดี|2345|67890/);
    expect(String(err.stack)).not.toMatch(/สมชาย|ใจดี|2345|67890/);
  });
});
