import { Agent, request } from 'undici';
import { CatalogClient } from './src/index.js';
import { startCatalogProcess } from './bench/sandbox-process.ts';
const mode = process.argv[2];
const { info, stop } = await startCatalogProcess({});
const client = new CatalogClient({ baseUrl: info.url, apiToken: info.token, politeness: { requestsPerSecond: false }, schemaVersion: '2.2' });
const agent = new Agent({ connections: 4 });
function* rows() { for (let i = 0; i < 100000; i++) yield { school_code: `S${i}`, name: `โรงเรียน ${i}`, district: `อำเภอ${i % 900}`, students: i % 1500, teachers: i % 80 }; }
const fields = [{ id: 'school_code', type: 'text' }, { id: 'name', type: 'text' }, { id: 'district', type: 'text' }, { id: 'students', type: 'int' }, { id: 'teachers', type: 'int' }];
for (let r = 0; r < 3; r++) {
  const rid = (await client.datastore.create({ packageId: info.packageId, name: 'p' + r, format: 'CSV' }, { fields, primaryKey: 'school_code' })).resourceId;
  const c = process.cpuUsage();
  if (mode === 'client') await client.datastore.upsert(rid, rows(), { batchRows: 1000 });
  else {
    let batch: unknown[] = [];
    for (const row of rows()) { batch.push(row); if (batch.length === 1000) {
      const res = await request(`${info.url}/api/3/action/datastore_upsert`, { method: 'POST', dispatcher: agent, headers: { authorization: info.token, 'content-type': 'application/json' }, body: JSON.stringify({ resource_id: rid, method: 'upsert', force: false, records: batch }) });
      await res.body.json(); batch = []; } }
  }
  const u = process.cpuUsage(c); console.log(mode, (u.user + u.system) / 1000 / 100, 'ms/batch');
  await client.datastore.delete(rid);
}
await client.close(); await agent.close(); stop();
