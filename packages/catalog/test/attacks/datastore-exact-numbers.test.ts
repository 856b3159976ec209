import type { AgencyCatalog } from '@thgov/sandbox';
import { cpuMsOf } from '@thgov/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { quoteInexactNumbers } from '../../src/datastore/exact-json.js';
import type { CatalogClient, DataStoreRecord, DataStoreSearchPage } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * PostgreSQL keeps every digit of an int8 or a numeric, and CKAN's datastore_search writes them as bare JSON
 * number tokens (9007199254740993, 12345678901234567890.123). JSON.parse rounds such a token to the nearest
 * double without a word: a harvester or a copy job would store other numbers than the catalog holds, and a
 * refresh keyed on such a column would match the wrong rows.
 */

async function rows(it: AsyncIterable<DataStoreSearchPage>): Promise<DataStoreRecord[]> {
  const out: DataStoreRecord[] = [];
  for await (const p of it) out.push(...p.records);
  return out;
}

const FIELDS = [
  { id: 'account', type: 'int8' },
  { id: 'budget', type: 'numeric' },
  { id: 'count', type: 'int' },
  { id: 'note', type: 'text' },
];

// 2^53 + 1 and its neighbours: no double holds the odd ones.
const BIG = ['9007199254740993', '9007199254740995', '9007199254740997', '9223372036854775807'];

describe.each(FLAVORS)('DataStore numbers past a double on CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let packageId: string;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
    packageId = (await editor.createDataset(validDataset())).id;
  });

  it('reads int8 and numeric values digit for digit; numbers a double holds stay numbers', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'บัญชีงบประมาณ', format: 'CSV' },
      {
        fields: FIELDS,
        primaryKey: 'account',
        records: BIG.map((account, i) => ({
          account,
          budget: `12345678901234567890.12${i + 1}`,
          count: i,
          note: `-9007199254740993${i}`,
        })),
      },
    );
    const got = await rows(editor.datastore.search(resourceId));
    expect(got.map((r) => String(r.account))).toEqual(BIG);
    expect(got.map((r) => typeof r.account)).toEqual(['string', 'string', 'string', 'string']);
    expect(got.map((r) => String(r.budget))).toEqual(BIG.map((_, i) => `12345678901234567890.12${i + 1}`));
    // Text that looks like a number and numbers a double holds are not touched.
    expect(got.map((r) => r.note)).toEqual(BIG.map((_, i) => `-9007199254740993${i}`));
    expect(got.map((r) => r.count)).toEqual([0, 1, 2, 3]);
    expect(got.map((r) => r._id)).toEqual([1, 2, 3, 4]);
  });

  it('copies a table to another with every digit kept', async () => {
    const source = await editor.datastore.create(
      { packageId, name: 'ต้นทาง', format: 'CSV' },
      {
        fields: FIELDS,
        primaryKey: 'account',
        records: BIG.map((account) => ({ account, budget: '0.1000000000000000055511151231257827' })),
      },
    );
    const copy = await editor.datastore.create(
      { packageId, name: 'ปลายทาง', format: 'CSV' },
      { fields: FIELDS, primaryKey: 'account' },
    );
    const read = await rows(editor.datastore.search(source.resourceId, { fields: ['account', 'budget'] }));
    await editor.datastore.upsert(copy.resourceId, read);
    const copied = await rows(editor.datastore.search(copy.resourceId, { fields: ['account', 'budget'] }));
    expect(copied.map((r) => String(r.account))).toEqual(BIG);
    expect(new Set(copied.map((r) => String(r.budget)))).toEqual(
      new Set(['0.1000000000000000055511151231257827']),
    );
  });

  it('refreshes a table keyed on int8 past a double: deletes the stale row, keeps the fresh ones', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'คีย์ใหญ่', format: 'CSV' },
      { fields: FIELDS, primaryKey: 'account', records: BIG.map((account) => ({ account, count: 1 })) },
    );
    // 9007199254740995 closes; the others stay (9007199254740996 is new: the double 9007199254740995 rounds to).
    const next = [...BIG.filter((a) => a !== '9007199254740995'), '9007199254740996'].map((account) => ({
      account,
      count: 2,
    }));
    const result = await editor.datastore.refresh(resourceId, next, { primaryKey: 'account' });
    expect(result).toEqual({ upserted: 4, deleted: 1 });
    const after = await rows(editor.datastore.search(resourceId));
    expect(after.map((r) => String(r.account)).sort()).toEqual(next.map((r) => r.account).sort());
    expect(after.every((r) => r.count === 2)).toBe(true);
  });

  it('writes a BigInt digit for digit', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'บิ๊กอินต์', format: 'CSV' },
      { fields: FIELDS, primaryKey: 'account' },
    );
    await editor.datastore.upsert(resourceId, [
      { account: 9007199254740993n, budget: 1n, count: 5 },
      { account: -9223372036854775807n, count: 6 },
    ]);
    const got = await rows(editor.datastore.search(resourceId));
    expect(got.map((r) => [String(r.account), r.count])).toEqual([
      ['9007199254740993', 5],
      ['-9223372036854775807', 6],
    ]);
    expect(got[0]?.budget).toBe(1);
  });

  it('refuses NaN and Infinity instead of writing NULL over the stored value', async () => {
    const { resourceId } = await editor.datastore.create(
      { packageId, name: 'ค่าว่างเงียบ', format: 'CSV' },
      { fields: FIELDS, primaryKey: 'account', records: [{ account: 1, count: 10, budget: 2.5 }] },
    );
    const cases: Array<[DataStoreRecord[], string]> = [
      [[{ account: 1, count: Number.NaN }], 'records.0.count'],
      [
        [
          { account: 2, count: 1 },
          { account: 1, budget: Number.POSITIVE_INFINITY },
        ],
        'records.1.budget',
      ],
      [[{ account: 2 }, { account: 1, note: { nested: [Number.NEGATIVE_INFINITY] } }], 'records.1.note'],
    ];
    for (const [bad, path] of cases) {
      const err = await editor.datastore.upsert(resourceId, bad, { batchRows: 1 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect(String((err as Error).message)).toContain(`${path} holds NaN`);
    }
    // Batches before the bad record went (one row each here); the stored row 1 is untouched.
    const got = await rows(editor.datastore.search(resourceId, { filters: { account: 1 } }));
    expect(got.map((r) => [r.account, r.count, r.budget])).toEqual([[1, 10, 2.5]]);
  });
});

describe('number tokens a double does not hold', () => {
  it('quotes only number tokens outside strings, exactly as written', () => {
    const text =
      '{"a":9007199254740993,"b":"x\\"9007199254740993","c":[-12345678901234567890.5e0,0.1,1e400,1e-400,' +
      '9007199254740992,1.5e3,-0,12345678901234.5],"d":"\\\\","e":123456789012345678}';
    const parsed = JSON.parse(quoteInexactNumbers(text));
    expect(parsed).toEqual({
      a: '9007199254740993',
      b: 'x"9007199254740993',
      c: ['-12345678901234567890.5e0', 0.1, '1e400', '1e-400', 9007199254740992, 1500, -0, 12345678901234.5],
      d: '\\',
      e: '123456789012345678',
    });
  });

  it('stays linear on hostile bodies (long digit runs, huge exponents, many escapes)', () => {
    const hostile = JSON.stringify({
      n: 0,
      s: `${'\\"'.repeat(100_000)}${'9'.repeat(200_000)}`,
    }).replace('"n":0', `"n":[${'1e999999999,'.repeat(20_000)}${'7'.repeat(200_000)}]`);
    let out = '';
    const ms = cpuMsOf(() => {
      out = quoteInexactNumbers(hostile);
    });
    const parsed = JSON.parse(out) as { n: string[]; s: string };
    expect(parsed.n).toHaveLength(20_001);
    expect(parsed.n[20_000]).toBe('7'.repeat(200_000));
    expect(parsed.s.length).toBe(400_000);
    expect(ms).toBeLessThan(5_000);
  });
});
