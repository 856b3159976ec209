import {
  type AgencyCatalog,
  type AgencyCatalogOptions,
  type CatalogFlavor,
  startAgencyCatalog,
} from '@thgov/sandbox';
import { afterAll } from 'vitest';
import { CatalogClient, type CatalogClientOptions } from '../../src/index.js';

/** Both flavours of the sandbox catalog: every sandbox test runs against each (version detection included). */
export const FLAVORS: CatalogFlavor[] = ['2.10', '2.9'];

/** The thai_gdc schema version each flavour runs. */
export const SCHEMA_OF: Record<CatalogFlavor, '2.1' | '2.2'> = { '2.10': '2.2', '2.9': '2.1' };

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Starts a sandbox catalog for this file (closed after the file). */
export async function startCatalog(
  flavor: CatalogFlavor,
  options: AgencyCatalogOptions = {},
): Promise<AgencyCatalog> {
  const catalog = await startAgencyCatalog({ flavor, ...options });
  cleanups.push(() => catalog.close());
  return catalog;
}

export type As = 'sysadmin' | 'editor' | 'member' | 'otherEditor' | 'anonymous';

/**
 * A client of the sandbox catalog acting as one of its users. Retries are quick and politeness is off unless a
 * test sets them: the politeness tests turn it on.
 */
export function clientFor(
  catalog: AgencyCatalog,
  as: As = 'editor',
  options: Partial<CatalogClientOptions> = {},
): CatalogClient {
  const client = new CatalogClient({
    baseUrl: catalog.url,
    apiToken: as === 'anonymous' ? undefined : catalog.accounts[as].token,
    harvesterUrl: catalog.harvester?.url,
    retry: { maxRetries: 3, baseDelayInMs: 1, maxDelayInMs: 5, budget: false },
    politeness: { requestsPerSecond: false, maxConcurrency: 16 },
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

let counter = 0;

/** Complete thai_gdc metadata (valid in 2.1 and 2.2) for a new statistical dataset; names are unique per call. */
export function validDataset(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    data_type: 'ข้อมูลสถิติ',
    title: `สถิติการจดทะเบียนสมรส รายเดือน ชุดที่ ${counter}`,
    name: `marriage-registrations-${counter}-${process.pid}`,
    owner_org: 'strategy-division',
    maintainer: 'กลุ่มงานสถิติ',
    maintainer_email: 'stat@agency.example.go.th',
    tag_string: 'สถิติ,ทะเบียนสมรส',
    notes: 'จำนวนการจดทะเบียนสมรส จำแนกรายเดือน',
    objective: ['พันธกิจหน่วยงาน', 'เพื่อการให้บริการประชาชน'],
    update_frequency_unit: 'เดือน',
    update_frequency_interval: '1',
    geo_coverage: 'ประเทศ',
    data_source: 'ระบบทะเบียนครอบครัว',
    data_format: ['CSV'],
    data_category: 'ข้อมูลสาธารณะ',
    license_id: 'Open Data Common',
    allow_harvest: 'True',
    ...overrides,
  };
}
