/**
 * 100,000 rows loaded into a DataStore table of the sandbox catalog (in a child process) in batches of 1,000:
 * CatalogClient.datastore.upsert (batching, progress, the first-batch citizen-ID scan, typed errors, envelope
 * checks) vs raw `undici.request` calls of `datastore_upsert` with the same batches (JSON.stringify of each batch,
 * the JSON answer parsed), same run, alternating, best of each. Each run loads a fresh table. Politeness is off
 * for both (a bulk load is the caller's choice of pace). Target: rows/s ratio ≥ 0.9. CPU per op is per batch.
 */
import { Agent, request } from 'undici';
import { CatalogClient, type DataStoreRecord } from '../src/index.js';
import { cpuMs, startCatalogProcess } from './sandbox-process.js';

const ROWS = 100_000;
const BATCH = 1000;
const ROUNDS = 6;
const FIELDS = [
  { id: 'school_code', type: 'text' },
  { id: 'name', type: 'text' },
  { id: 'district', type: 'text' },
  { id: 'students', type: 'int' },
  { id: 'teachers', type: 'int' },
];

function* rows(): Generator<DataStoreRecord> {
  for (let i = 0; i < ROWS; i++) {
    yield {
      school_code: `S${String(i).padStart(7, '0')}`,
      name: `โรงเรียนบ้านตัวอย่าง ${i}`,
      district: `อำเภอ${i % 900}`,
      students: (i * 7) % 1500,
      teachers: (i * 3) % 80,
    };
  }
}

const { info, stop } = await startCatalogProcess({ datastoreRowsMax: 10_000 });
try {
  const client = new CatalogClient({
    baseUrl: info.url,
    apiToken: info.token,
    politeness: { requestsPerSecond: false },
    schemaVersion: '2.2',
  });
  const agent = new Agent({ connections: 4, keepAliveTimeout: 30_000 });
  const newTable = async (label: string) =>
    (
      await client.datastore.create(
        { packageId: info.packageId, name: label, format: 'CSV' },
        { fields: FIELDS, primaryKey: 'school_code' },
      )
    ).resourceId;
  const viaClient = async (rid: string) => {
    let last = 0;
    await client.datastore.upsert(rid, rows(), { batchRows: BATCH, onProgress: (p) => (last = p.rowsDone) });
    if (last !== ROWS) throw new Error('incomplete');
  };
  const viaUndici = async (rid: string) => {
    let batch: DataStoreRecord[] = [];
    const send = async () => {
      const res = await request(`${info.url}/api/3/action/datastore_upsert`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: info.token, 'content-type': 'application/json' },
        body: JSON.stringify({ resource_id: rid, method: 'upsert', force: false, records: batch }),
      });
      const json = (await res.body.json()) as { success: boolean };
      if (!json.success) throw new Error(`HTTP ${res.statusCode}`);
      batch = [];
    };
    for (const r of rows()) {
      batch.push(r);
      if (batch.length === BATCH) await send();
    }
    if (batch.length > 0) await send();
  };
  const measure = async (run: (rid: string) => Promise<void>, label: string) => {
    const rid = await newTable(label);
    const { cpuMs: cpu, wallMs } = await cpuMs(() => run(rid));
    await client.datastore.delete(rid);
    return { rowsPerSecond: ROWS / (wallMs / 1000), cpuMsPerBatch: cpu / (ROWS / BATCH) };
  };
  await measure(viaUndici, 'warm-up raw');
  await measure(viaClient, 'warm-up client');
  const best = {
    client: { rps: 0, cpu: Number.POSITIVE_INFINITY },
    raw: { rps: 0, cpu: Number.POSITIVE_INFINITY },
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [key, run] of [
      ['raw', viaUndici],
      ['client', viaClient],
    ] as const) {
      const m = await measure(run, `${key} ${r}`);
      best[key].rps = Math.max(best[key].rps, m.rowsPerSecond);
      best[key].cpu = Math.min(best[key].cpu, m.cpuMsPerBatch);
      process.stderr.write(
        `  ${key}: ${Math.round(m.rowsPerSecond)} rows/s, ${m.cpuMsPerBatch.toFixed(2)} ms CPU per batch\n`,
      );
    }
  }
  await client.close();
  await agent.close();
  process.stdout.write(
    `${JSON.stringify({
      bench: 'catalog.datastore-load-100k',
      unit: 'rows/s',
      value: Math.round(best.client.rps),
      baseline: 'undici.request datastore_upsert (same batches)',
      baselineValue: Math.round(best.raw.rps),
      ratio: Number((best.client.rps / best.raw.rps).toFixed(3)),
      batchRows: BATCH,
      cpuMsPerOp: Number(best.client.cpu.toFixed(2)),
      baselineCpuMsPerOp: Number(best.raw.cpu.toFixed(2)),
      target: 'ratio >= 0.9',
    })}\n`,
  );
} finally {
  stop();
}
