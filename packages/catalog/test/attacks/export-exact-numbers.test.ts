import { Readable } from 'node:stream';
import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExactNumberStream } from '../../src/datastore/exact-json.js';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * `datastore.export(…, { format: 'json' })` streams CKAN's dump, whose int8 and numeric values are bare JSON
 * number tokens with every digit PostgreSQL keeps. The reader's JSON.parse rounds 9007199254740993 to
 * 9007199254740992 without a word; search() gives such a value as a string of its digits, and so must export.
 */

const BIG = ['9007199254740993', '-9223372036854775807'];
const DECIMAL = '12345678901234567890.123';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe('DataStore JSON export of numbers past a double (CKAN 2.10)', () => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let rid: string;
  beforeAll(async () => {
    catalog = await startCatalog('2.10');
    editor = clientFor(catalog);
    const packageId = (await editor.createDataset(validDataset())).id;
    rid = (
      await editor.datastore.create(
        { packageId, name: 'บัญชีส่งออก', format: 'CSV' },
        {
          fields: [
            { id: 'account', type: 'int8' },
            { id: 'budget', type: 'numeric' },
            { id: 'count', type: 'int' },
            { id: 'note', type: 'text' },
          ],
          records: BIG.map((account, i) => ({
            account,
            budget: DECIMAL,
            count: i + 1,
            note: `say "${BIG[0]}" \\ ${BIG[0]}`,
          })),
        },
      )
    ).resourceId;
  });

  it('gives every int8 and numeric digit for digit; other numbers and text are untouched', async () => {
    const json = JSON.parse(await text(await editor.datastore.export(rid, { format: 'json' }))) as {
      records: unknown[][];
    };
    expect(json.records.map((r) => r[1])).toEqual(BIG);
    expect(json.records.map((r) => r[2])).toEqual([DECIMAL, DECIMAL]);
    expect(json.records.map((r) => r[3])).toEqual([1, 2]);
    expect(json.records.map((r) => r[0])).toEqual([1, 2]);
    expect(json.records[0]?.[4]).toBe(`say "${BIG[0]}" \\ ${BIG[0]}`);
  });

  it('CSV is passed through as the catalog wrote it', async () => {
    const csv = await text(await editor.datastore.export(rid, { format: 'csv' }));
    expect(csv).toContain(`1,${BIG[0]},${DECIMAL},1,`);
  });
});

describe('ExactNumberStream', () => {
  const source = `{"a": [9007199254740993, 1.5, -0.25e3, "x\\"9007199254740993", 12345678901234567890.123], "b\\\\": 9007199254740993}`;

  it('reads the same whatever the chunking: a token or an escape split between chunks', async () => {
    const whole = await text(Readable.from([Buffer.from(source)]).pipe(new ExactNumberStream()));
    const bytes = [...Buffer.from(source)].map((b) => Buffer.from([b]));
    const split = await text(Readable.from(bytes).pipe(new ExactNumberStream()));
    expect(split).toBe(whole);
    expect(JSON.parse(whole)).toEqual({
      a: ['9007199254740993', 1.5, -250, 'x"9007199254740993', '12345678901234567890.123'],
      'b\\': '9007199254740993',
    });
  });

  it('a number token longer than it keeps in memory is quoted as it streams', async () => {
    const digits = '7'.repeat(300_000);
    const out = await text(Readable.from([Buffer.from(`[${digits},1]`)]).pipe(new ExactNumberStream()));
    expect(JSON.parse(out)).toEqual([digits, 1]);
  });
});
