import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgencyCatalog, startAgencyCatalog } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/doctor/doctor.js';
import { parseConfig, run } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'thgov-cli-catalog-'));

function capture(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s), isTTY: tty, columns: 80 },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const DATASET = {
  data_type: 'ข้อมูลสถิติ',
  title: 'จำนวนผู้มาใช้บริการศูนย์ราชการสะดวก รายจังหวัด',
  name: 'service-center-visits',
  owner_org: 'strategy-division',
  maintainer: 'กลุ่มงานสถิติ',
  maintainer_email: 'stat@agency.example.go.th',
  tag_string: 'บริการประชาชน,สถิติ',
  notes: 'จำนวนผู้มาใช้บริการ จำแนกรายจังหวัด',
  objective: ['เพื่อการให้บริการประชาชน'],
  update_frequency_unit: 'เดือน',
  geo_coverage: 'จังหวัด',
  data_source: 'ระบบคิวบริการ',
  data_format: ['CSV'],
  data_category: 'ข้อมูลสาธารณะ',
  license_id: 'Open Data Common',
};

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe.each(['2.10', '2.9'] as const)('thgov catalog … against CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let config: string;
  beforeAll(async () => {
    catalog = await startAgencyCatalog({ flavor });
    config = file(`thgov-${flavor}.json`, {
      catalog: {
        baseUrl: catalog.url,
        apiToken: catalog.accounts.editor.token,
        harvesterUrl: catalog.harvester?.url,
      },
    });
  });
  afterAll(() => catalog.close());

  it('validate: 0 for good metadata, 1 with Thai and English lines per field, 2 for usage errors', async () => {
    const good = capture();
    expect(await run(['catalog', 'validate', file('good.json', DATASET)], good.io)).toBe(0);
    expect(good.out()).toMatch(/✓ .*good\.json: thai_gdc 2\.2, 0 error/);
    const bad = capture();
    const badFile = file('bad.json', {
      ...DATASET,
      geo_coverage: 'ทั้งประเทศ',
      objective: ['อื่นๆ'],
      allow_harvest: true,
    });
    expect(await run(['catalog', 'validate', badFile], bad.io)).toBe(1);
    expect(bad.out()).toMatch(
      /✗ geo_coverage: ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่: ค่า "ทั้งประเทศ" ไม่อยู่ในตัวเลือกที่กำหนด\n {6}Geographic coverage: "ทั้งประเทศ" is not one of the allowed values/,
    );
    expect(bad.out()).toMatch(/objective_other/);
    expect(bad.out()).toMatch(/allow_harvest: .*"True" หรือ "False"/);
    const internal = file('internal.json', { ...DATASET, data_category: 'ข้อมูลใช้ภายใน' });
    expect(await run(['catalog', 'validate', '--schema', '2.1', internal], capture().io)).toBe(1);
    const server = capture();
    expect(await run(['catalog', 'validate', '--server', '--config', config, internal], server.io)).toBe(
      flavor === '2.10' ? 0 : 1,
    );
    expect(server.out()).toMatch(/thai_gdc server/);
    const json = capture();
    expect(await run(['catalog', 'validate', '--json', badFile], json.io)).toBe(1);
    expect(JSON.parse(json.out()).errors.length).toBe(3);
    for (const args of [
      ['catalog', 'validate'],
      ['catalog', 'validate', '--schema', '3', badFile],
      ['catalog', 'validate', join(dir, 'nope.json')],
    ]) {
      expect(await run(args, capture().io)).toBe(2);
    }
  });

  it('publish: creates the dataset, uploads the CSV and loads the DataStore with progress; again: updates', async () => {
    const csv = file(
      'visits.csv',
      'province,visits,note\nกรุงเทพมหานคร,12034,"ศูนย์ฯ, 3 แห่ง"\nเชียงใหม่,4120,\nขอนแก่น,3988,"มี ""คิวด่วน"""\n',
    );
    const meta = file('visits.json', DATASET);
    const args = [
      'catalog',
      'publish',
      meta,
      '--resource',
      csv,
      '--datastore',
      '--primary-key',
      'province',
      '--field',
      'visits:int',
      '--config',
      config,
    ];
    const first = capture(true);
    expect(await run([...args, '--json'], first.io), first.err()).toBe(0);
    const result = JSON.parse(first.out());
    expect(result).toMatchObject({
      dataset: 'service-center-visits',
      datastoreRows: 3,
      resource: { format: 'CSV' },
    });
    expect(first.err()).toMatch(/\] 3\/3/);
    const table = catalog.tables.get(result.resource.id);
    expect([...(table?.rows.values() ?? [])].map((r) => [r.province, r.visits, r.note])).toEqual([
      ['กรุงเทพมหานคร', 12034, 'ศูนย์ฯ, 3 แห่ง'],
      ['เชียงใหม่', 4120, null],
      ['ขอนแก่น', 3988, 'มี "คิวด่วน"'],
    ]);
    const again = capture();
    expect(
      await run(
        [
          'catalog',
          'publish',
          file('visits2.json', { ...DATASET, notes: 'ปรับปรุงคำอธิบาย' }),
          '--config',
          config,
        ],
        again.io,
      ),
    ).toBe(0);
    expect(again.out()).toContain(`✓ service-center-visits (${result.id})`);
    expect(catalog.store.findPackage('service-center-visits')?.notes).toBe('ปรับปรุงคำอธิบาย');
  });

  it('publish: bad metadata and a register of citizen IDs are refused with reasons', async () => {
    const bad = capture();
    expect(
      await run(
        [
          'catalog',
          'publish',
          file('p-bad.json', { ...DATASET, name: 'p-bad', geo_coverage: 'x' }),
          '--config',
          config,
        ],
        bad.io,
      ),
    ).toBe(1);
    expect(bad.err()).toMatch(/ERR_CATALOG_VALIDATION[\s\S]*✗ geo_coverage: /);
    const register = file('register.csv', 'pid,name\n1101700230708,สมชาย\n');
    const refused = capture();
    const code = await run(
      [
        'catalog',
        'publish',
        file('p-reg.json', { ...DATASET, name: 'p-reg', title: 'ทะเบียน' }),
        '--resource',
        register,
        '--config',
        config,
      ],
      refused.io,
    );
    expect(code).toBe(1);
    expect(refused.err()).toMatch(/ERR_CATALOG_PRIVACY/);
    expect(refused.err()).not.toContain('1101700230708');
  });

  it('search and status', async () => {
    const search = capture();
    expect(
      await run(
        ['catalog', 'search', '--fq', 'organization:strategy-division', '--config', config],
        search.io,
      ),
    ).toBe(0);
    expect(search.out()).toMatch(/population-by-province-2566 +จำนวนประชากร/);
    const json = capture();
    expect(await run(['catalog', 'search', 'ประชากร', '--json', '--config', config], json.io)).toBe(0);
    expect(JSON.parse(json.out()).map((d: { name: string }) => d.name)).toContain(
      'population-by-province-2566',
    );
    const before = capture();
    expect(await run(['catalog', 'status', 'annual-budget-2567', '--config', config], before.io)).toBe(0);
    expect(before.out()).toMatch(/not harvested by the GD Catalog/);
    await catalog.harvester?.harvest();
    catalog.harvester?.setGovernanceState('annual-budget-2567', 'VALIDATE');
    const after = capture();
    expect(await run(['catalog', 'status', 'annual-budget-2567', '--config', config], after.io)).toBe(0);
    expect(after.out()).toMatch(
      /published at the GD Catalog\n {2}governance state: VALIDATE\n {2}validated: .*\n {2}published copy: https:\/\/gdcatalog\.go\.th\/dataset\/gdpublish-annual-budget-2567/,
    );
    expect(await run(['catalog', 'status', 'no-such-dataset', '--config', config], capture().io)).toBe(1);
    expect(await run(['catalog', 'search', '--limit', '0', '--config', config], capture().io)).toBe(2);
  });

  it('search shows a translated title (ckanext-fluent) as text, Thai first, never [object Object]', async () => {
    const name = `fluent-title-${flavor.replace('.', '')}`;
    const created = capture();
    const source = file(`${name}.json`, { ...DATASET, name, title: 'ชั่วคราว', tag_string: 'fluent-cli' });
    expect(await run(['catalog', 'publish', source, '--config', config], created.io)).toBe(0);
    const pkg = [...catalog.store.packages.values()].find((p) => p.name === name) as unknown as {
      title: unknown;
    };
    pkg.title = { en: 'Population statistics', th: 'สถิติประชากร' };
    const out = capture();
    expect(await run(['catalog', 'search', '--fq', 'tags:fluent-cli', '--config', config], out.io)).toBe(0);
    expect(out.out()).toMatch(new RegExp(`${name} +สถิติประชากร\\n`));
    expect(out.out()).not.toContain('[object Object]');
    const json = capture();
    expect(
      await run(['catalog', 'search', '--fq', 'tags:fluent-cli', '--json', '--config', config], json.io),
    ).toBe(0);
    expect(JSON.parse(json.out())[0].title).toEqual({ en: 'Population statistics', th: 'สถิติประชากร' });
  });

  it('doctor: reachable, version, token accepted, schema known; a bad token fails with ERR_CATALOG_AUTH', async () => {
    const ok = await runDoctor(
      parseConfig({ catalog: { baseUrl: catalog.url, apiToken: catalog.accounts.editor.token } }),
    );
    const byId = Object.fromEntries(ok.checks.map((c) => [c.id, c]));
    expect(byId['catalog.status']).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`thai_gdc ${catalog.settings.thaiGdcVersion}`),
    });
    expect(byId['catalog.token']).toMatchObject({
      status: 'pass',
      message: 'may publish to strategy-division, ict-center',
    });
    expect(byId['catalog.schema']).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`thai_gdc metadata ${flavor === '2.10' ? '2.2' : '2.1'}`),
    });
    const bad = await runDoctor(
      parseConfig({ catalog: { baseUrl: catalog.url, apiToken: 'eyJ-not-a-token-the-catalog-knows' } }),
    );
    expect(bad.ok).toBe(false);
    expect(bad.checks.find((c) => c.id === 'catalog.token')).toMatchObject({
      status: 'fail',
      errorCode: 'ERR_CATALOG_AUTH',
    });
    const anonymous = await runDoctor(parseConfig({ catalog: { baseUrl: catalog.url } }));
    expect(anonymous.checks.find((c) => c.id === 'catalog.token')?.status).toBe('skip');
    const wrong = await runDoctor(parseConfig({ catalog: { baseUrl: `${catalog.url}/wrong` } }));
    expect(wrong.checks.find((c) => c.id === 'catalog.status')).toMatchObject({
      status: 'fail',
      errorCode: 'ERR_CATALOG_PROTOCOL',
    });
  });
});
