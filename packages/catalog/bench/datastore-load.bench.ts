/**
 * 100,000 rows loaded into a DataStore table of the sandbox catalog (in a child process) in batches of 1,000:
 * CatalogClient.datastore.upsert (batching, progress, the first-batch citizen-ID scan, typed errors, envelope
 * checks) vs raw `undici.request` calls of `datastore_upsert` with the same batches (JSON.stringify of each batch,
 * the JSON answer parsed), same run, interleaved rounds, medians and spread. Each round loads a fresh table
 * (made and dropped outside the measured section). Politeness is off for both (a bulk load is the caller's
 * choice of pace). Target: rows/s ratio ≥ 0.9. An operation is one row.
 */

import { CatalogClient, type DataStoreRecord } from '@thgov/catalog';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import { Agent, request } from 'undici';
import { startCatalogProcess } from './sandbox-process.js';

const ROWS = sized(100_000, 5_000);
const BATCH = 1000;
const ROUNDS = sized(6, 2);
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
  const fresh = (run: (rid: string) => Promise<void>, label: string) => ({
    prepare: async () => {
      const rid = await newTable(label);
      return { run: () => run(rid), cleanup: () => client.datastore.delete(rid) };
    },
  });
  const line = await compareRounds({
    bench: `catalog.datastore-load-${ROWS / 1000}k`,
    kind: 'throughput',
    unit: 'rows/s',
    baseline: 'undici.request datastore_upsert (same batches)',
    opsPerRound: ROWS,
    rounds: ROUNDS,
    thgov: fresh(viaClient, 'client'),
    baselineSide: fresh(viaUndici, 'raw'),
    target: 'ratio >= 0.9',
  });
  await client.close();
  await agent.close();
  emitBenchLine({ ...line, batchRows: BATCH });
} finally {
  stop();
}
