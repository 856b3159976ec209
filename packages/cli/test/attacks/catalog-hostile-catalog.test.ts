/**
 * Attack class: a catalog (or whoever answers in its place) and a CSV file steering `thgov catalog`. A dataset
 * title or resource URL carrying line feeds prints fake rows and a fake total; a CSV header `__proto__` or
 * `constructor` picks inherited object members as column types or sets a record's prototype and silently drops
 * the column; a metadata file reclassifies a personal dataset as public in the same write that opens it.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgencyCatalog } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-cli-catalog-attack-'));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const METADATA = {
  data_type: 'ข้อมูลสถิติ',
  title: 'สถิติ',
  name: 'stats',
  owner_org: 'strategy-division',
  maintainer: 'กลุ่มงานสถิติ',
  maintainer_email: 'stat@agency.example.go.th',
  tag_string: 'สถิติ',
  notes: 'จำนวน',
  objective: ['พันธกิจหน่วยงาน'],
  update_frequency_unit: 'เดือน',
  update_frequency_interval: '1',
  geo_coverage: 'ประเทศ',
  data_source: 'ระบบ',
  data_format: ['CSV'],
  data_category: 'ข้อมูลสาธารณะ',
  license_id: 'Open Data Common',
  allow_harvest: 'True',
};

/** What the hostile catalog answers per action; every request body is kept by action. */
const bodies = new Map<string, string[]>();
const INJECTED = 'Real title\nds-fake                                  Injected row\n999 of 999 dataset(s)';
const RESULTS: Record<string, unknown> = {
  status_show: { ckan_version: '2.10.4', thaigdc_version: '2.2.0', extensions: ['datastore'] },
  package_search: {
    count: 2,
    results: [
      { id: 'id-1', name: 'ds-1', title: INJECTED, private: false },
      { id: 'id-2', name: 'ds-2\tx', title: 'tab\there', private: false },
    ],
  },
  package_create: { id: 'd1', name: 'stats', resources: [] },
  resource_create: { id: 'r1', url: 'http://x/r1.csv\nfake line', format: 'CSV' },
  datastore_create: { resource_id: 'r1' },
  datastore_upsert: {},
};

function reply(req: IncomingMessage, res: ServerResponse, body: string) {
  const action = (req.url ?? '').split('?')[0]?.split('/').pop() ?? '';
  bodies.set(action, [...(bodies.get(action) ?? []), body]);
  const result = RESULTS[action];
  res.writeHead(result === undefined ? 404 : 200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify(
      result === undefined
        ? { success: false, error: { __type: 'Not Found Error', message: 'Not found' } }
        : { help: 'h', success: true, result },
    ),
  );
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => reply(req, res, Buffer.concat(chunks).toString('utf8')));
});
let config = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config = file('hostile.json', {
    catalog: {
      baseUrl: url,
      apiToken: 'tok-test-123456',
      schemaVersion: '2.2',
      politeness: { requestsPerSecond: false },
    },
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('thgov catalog against a hostile catalog', () => {
  it('search prints one row per dataset: line feeds and tabs in a title or name are shown escaped', async () => {
    const c = capture();
    expect(await run(['catalog', 'search', '--config', config], c.io)).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ds-1 +Real title\\u000ads-fake +Injected row\\u000a999 of 999 dataset\(s\)$/);
    expect(lines[1]).toMatch(/^ds-2\\u0009x +tab\\u0009here$/);
    expect(lines[2]).toBe('2 of 2 dataset(s)');
  });

  it('publish prints the resource URL on its own line', async () => {
    const c = capture();
    const args = ['catalog', 'publish', file('meta.json', METADATA), '--resource', file('a.csv', 'a\n1\n')];
    expect(await run([...args, '--config', config], c.io), c.err()).toBe(0);
    expect(c.out()).toBe('✓ stats (d1)\n  resource http://x/r1.csv\\u000afake line\n');
  });

  it('publish --datastore keeps columns named like Object members, with their own types', async () => {
    bodies.clear();
    const csv = file('members.csv', 'constructor,toString,hasOwnProperty,x\n1,,3,4\n5,6,7,8\n');
    const args = ['catalog', 'publish', file('meta.json', METADATA), '--resource', csv, '--datastore'];
    const c = capture();
    expect(await run([...args, '--field', 'x:int', '--config', config], c.io), c.err()).toBe(0);
    const created = JSON.parse(bodies.get('datastore_create')?.[0] ?? '{}');
    expect(created.fields).toEqual([
      { id: 'constructor', type: 'text' },
      { id: 'toString', type: 'text' },
      { id: 'hasOwnProperty', type: 'text' },
      { id: 'x', type: 'int' },
    ]);
    const upserted = JSON.parse(bodies.get('datastore_upsert')?.[0] ?? '{}');
    expect(upserted.records).toEqual([
      { constructor: '1', toString: null, hasOwnProperty: '3', x: 4 },
      { constructor: '5', toString: '6', hasOwnProperty: '7', x: 8 },
    ]);
  });

  it('publish --datastore refuses a "__proto__" (or other reserved "_") column before publishing anything', async () => {
    for (const header of ['constructor,__proto__,x', '_id,x', 'x,x']) {
      bodies.clear();
      const csv = file('proto.csv', `${header}\n1,2,3\n`);
      const args = ['catalog', 'publish', file('meta.json', METADATA), '--resource', csv, '--datastore'];
      const c = capture();
      expect(await run([...args, '--config', config], c.io)).toBe(2);
      expect(c.err()).toMatch(/ERR_INVALID_ARG: .*proto\.csv: column "(__proto__|_id|x)"/);
      expect([...bodies.keys()]).toEqual([]);
    }
  });
});

describe('thgov catalog publish and the privacy guard', () => {
  it('a metadata file cannot reclassify a personal dataset as public and open it in one write', async () => {
    const catalog = await startAgencyCatalog({ flavor: '2.10' });
    try {
      const cfg = file('sandbox.json', {
        catalog: { baseUrl: catalog.url, apiToken: catalog.accounts.editor.token },
      });
      const personal = { ...METADATA, name: 'register-stats', data_category: 'ข้อมูลส่วนบุคคล' };
      const { allow_harvest: _a, ...closed } = personal;
      expect(await run(['catalog', 'publish', file('p1.json', closed), '--config', cfg], capture().io)).toBe(
        0,
      );
      expect(catalog.store.findPackage('register-stats')).toMatchObject({
        private: true,
        allow_harvest: 'False',
      });
      const opening = file('p2.json', { ...personal, data_category: 'ข้อมูลสาธารณะ', private: false });
      const refused = capture();
      expect(await run(['catalog', 'publish', opening, '--config', cfg], refused.io)).toBe(1);
      expect(refused.err()).toMatch(/ERR_CATALOG_PRIVACY/);
      expect(catalog.store.findPackage('register-stats')).toMatchObject({
        data_category: 'ข้อมูลส่วนบุคคล',
        private: true,
        allow_harvest: 'False',
      });
      const allowed = ['catalog', 'publish', opening, '--allow-restricted', '--config', cfg];
      expect(await run(allowed, capture().io)).toBe(0);
      expect(catalog.store.findPackage('register-stats')).toMatchObject({ private: false });
    } finally {
      await catalog.close();
    }
  });
});
