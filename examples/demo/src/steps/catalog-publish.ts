import { CatalogClient } from '@thgov/catalog';
import { registerSecret } from '@thgov/core';
import { CLIENT_TIMEOUTS, type DemoContext } from '../context.js';

const METADATA = {
  data_type: 'ข้อมูลสถิติ',
  title: 'จำนวนผู้ยื่นคำขอสวัสดิการ รายจังหวัด (สาธิต)',
  name: 'welfare-applications-by-province-demo',
  owner_org: 'strategy-division',
  maintainer: 'กลุ่มงานสถิติและข้อมูล',
  maintainer_email: 'data@agency.example.go.th',
  tag_string: 'สวัสดิการ,สถิติ',
  notes: 'จำนวนคำขอสวัสดิการที่ยื่นในเดือนนี้ จำแนกรายจังหวัด (ข้อมูลรวม ไม่มีข้อมูลรายบุคคล)',
  objective: ['เพื่อการให้บริการประชาชน'],
  update_frequency_unit: 'เดือน',
  geo_coverage: 'จังหวัด',
  data_source: 'ระบบรับคำขอสวัสดิการ',
  data_format: ['CSV'],
  data_category: 'ข้อมูลสาธารณะ',
  license_id: 'Open Data Common',
  allow_harvest: 'True',
};

const ROWS = [
  { province: 'กรุงเทพมหานคร', applications: 1820 },
  { province: 'เชียงใหม่', applications: 640 },
  { province: 'ขอนแก่น', applications: 575 },
  { province: 'สงขลา', applications: 498 },
];

/**
 * f. The agency publishes aggregate open data to its own catalog (CKAN + thai_gdc): the metadata is checked
 * against the catalog's standard first (a wrong Thai choice is caught offline), the CSV is uploaded and loaded into
 * the DataStore, read back, and the GD Catalog harvests it and reports its governance state.
 */
export async function catalogPublish(ctx: DemoContext): Promise<void> {
  const { sandbox, report } = ctx;
  const { catalog: agency } = sandbox;
  const token = ctx.breakAt === 'catalog' ? agency.accounts.member.token : agency.accounts.editor.token;
  registerSecret(token);
  const catalog = new CatalogClient({
    baseUrl: agency.url,
    apiToken: token,
    harvesterUrl: agency.harvester?.url,
    appName: 'thgov-demo/0.0.0',
    timeouts: CLIENT_TIMEOUTS,
  });
  try {
    const status = await catalog.status({ timeoutInMs: ctx.stepTimeoutInMs });
    report.detail(
      `CKAN ${status.ckanVersion} + thai_gdc ${status.thaiGdcVersion}: metadata standard ${status.schemaVersion}`,
    );
    const draft = await catalog.validateDataset({ ...METADATA, geo_coverage: 'ทั้งประเทศ' });
    const first = draft.errors[0];
    report.detail(`offline check of a draft: ${draft.errors.length} error, ${first?.field}: ${first?.th}`);
    const dataset = await catalog.createDataset(METADATA);
    const csv = `province,applications\n${ROWS.map((r) => `${r.province},${r.applications}`).join('\n')}\n`;
    const resource = await catalog.uploadResource(dataset.id, {
      content: csv,
      fileName: 'คำขอ.csv',
      name: 'คำขอรายจังหวัด',
    });
    const fields = [
      { id: 'province', type: 'text' },
      { id: 'applications', type: 'int' },
    ];
    await catalog.datastore.create(
      resource.id,
      { fields, primaryKey: 'province', records: ROWS },
      { force: true },
    );
    let rows = 0;
    for await (const page of catalog.datastore.search(resource.id, { pageSize: 2 }))
      rows += page.records.length;
    report.detail(
      `dataset ${dataset.name}: file sent as ${String(resource.url).split('/').pop()} (${resource.format}), ${rows} rows read back from the DataStore in pages of 2`,
    );
    await agency.harvester?.harvest();
    agency.harvester?.setGovernanceState(dataset.name, 'VALIDATE');
    const state = await catalog.publicationState(dataset.name);
    report.detail(`GD Catalog: ${state.governanceState}, published copy ${state.publishedUrl ?? '(none)'}`);
  } finally {
    await catalog.close();
  }
}
