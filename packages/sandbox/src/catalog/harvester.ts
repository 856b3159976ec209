import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, type FaultProfile } from '../faults.js';
import { listen, readBody, sendJson } from '../http-server.js';

/**
 * The central GD Catalog's harvester: it pages each registered agency catalog's public `package_search` (100 rows
 * a page), skips `allow_harvest: "False"`, and keeps a governance state per dataset that the agency can ask for
 * with `gdcatalog_published_state` / `gdcatalog_nonpublish_state` (POST `{site_url, package}`).
 */

export type GovernanceState =
  | 'VALIDATE'
  | 'VALIDATE_MODIFIED'
  | 'APPROVAL'
  | 'WAIT_REVOKE'
  | 'REVOKE'
  | 'WAIT'
  | 'DELETED'
  | 'REJECT';

/** States in which the GD Catalog holds a published copy. */
const PUBLISHED: ReadonlySet<GovernanceState> = new Set([
  'VALIDATE',
  'VALIDATE_MODIFIED',
  'APPROVAL',
  'WAIT_REVOKE',
]);

export interface HarvestedDataset {
  site: string;
  id: string;
  name: string;
  /** The agency's metadata_modified when last harvested. */
  metadataModified: string;
  governanceState: GovernanceState;
  validateTime: string;
}

export interface GdCatalogHarvesterOptions {
  host?: string;
  port?: number;
  faults?: FaultProfile;
  /** New datasets go straight to VALIDATE (published) instead of WAIT. Default false. */
  autoApprove?: boolean;
}

export interface HarvestReport {
  pages: number;
  harvested: number;
  skipped: number;
}

export interface GdCatalogHarvester {
  url: string;
  faults: FaultInjector;
  /** Agency catalogs harvested, by bare host name. */
  register(siteUrl: string): void;
  /** One harvest run over every registered catalog. */
  harvest(): Promise<HarvestReport>;
  /** Moves a dataset through the governance workflow (what the GD Catalog's staff would do). */
  setGovernanceState(name: string, state: GovernanceState): void;
  state(name: string): HarvestedDataset | undefined;
  close(): Promise<void>;
}

const PAGE = 100;
const nowTime = () => new Date().toISOString().replace('T', ' ').slice(0, 19);

export async function startGdCatalogHarvester(
  options: GdCatalogHarvesterOptions = {},
): Promise<GdCatalogHarvester> {
  const sites = new Map<string, string>();
  const datasets = new Map<string, HarvestedDataset>();
  const faults = new FaultInjector(options.faults ?? { rules: [] });
  const key = (site: string, name: string) => `${site}\u0000${name}`;

  async function harvestSite(
    host: string,
    base: string,
    seen: Set<string>,
    report: HarvestReport,
  ): Promise<void> {
    for (let start = 0, count = 1; start < count && report.pages < 10_000; start += PAGE) {
      const res = await fetch(
        `${base}/api/3/action/package_search?rows=${PAGE}&start=${start}&sort=metadata_created+asc`,
      );
      const body = (await res.json()) as {
        result?: { count: number; results: Array<Record<string, unknown>> };
      };
      if (!res.ok || !body.result) throw new Error(`harvest of ${host} failed with HTTP ${res.status}`);
      report.pages++;
      count = body.result.count;
      for (const d of body.result.results) {
        if (d.allow_harvest === 'False') {
          report.skipped++;
          continue;
        }
        seen.add(key(host, String(d.name)));
        record(host, d);
        report.harvested++;
      }
    }
  }

  function record(host: string, d: Record<string, unknown>): void {
    const k = key(host, String(d.name));
    const modified = String(d.metadata_modified ?? '');
    const prev = datasets.get(k);
    if (!prev) {
      datasets.set(k, {
        site: host,
        id: String(d.id),
        name: String(d.name),
        metadataModified: modified,
        governanceState: options.autoApprove ? 'VALIDATE' : 'WAIT',
        validateTime: options.autoApprove ? nowTime() : '',
      });
    } else if (prev.metadataModified !== modified) {
      prev.metadataModified = modified;
      if (prev.governanceState === 'VALIDATE') prev.governanceState = 'VALIDATE_MODIFIED';
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await faults.intercept(req, res)) return;
    const m = /^\/api\/3\/action\/(gdcatalog_published_state|gdcatalog_nonpublish_state)$/.exec(
      (req.url ?? '').split('?')[0] ?? '',
    );
    if (!m || req.method !== 'POST') {
      sendJson(res, 404, { success: false, error: { __type: 'Not Found Error', message: 'Not found' } });
      return;
    }
    let body: { site_url?: unknown; package?: unknown };
    try {
      body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8')) as typeof body;
    } catch {
      sendJson(res, 400, 'Bad request - JSON Error: could not decode the request');
      return;
    }
    const site = String(body.site_url ?? '');
    if (!sites.has(site)) {
      sendJson(res, 404, {
        success: false,
        error: { __type: 'Not Found Error', message: `Not found: site ${site}` },
      });
      return;
    }
    const wanted = String(body.package ?? '');
    const d = [...datasets.values()].find((x) => x.site === site && (x.name === wanted || x.id === wanted));
    const published = d !== undefined && PUBLISHED.has(d.governanceState);
    const inZone = m[1] === 'gdcatalog_published_state' ? published : d !== undefined && !published;
    const row =
      d && inZone
        ? [
            {
              name: d.name,
              metadata_modified: published ? d.metadataModified : '',
              governance_state: d.governanceState,
              validate_time: d.validateTime,
            },
          ]
        : [];
    sendJson(res, 200, { help: '', success: true, result: row });
  }

  const server = await listen(route, { host: options.host, port: options.port });
  return {
    url: server.url,
    faults,
    register: (siteUrl) => sites.set(new URL(siteUrl).host, siteUrl.replace(/\/+$/, '')),
    async harvest() {
      const report: HarvestReport = { pages: 0, harvested: 0, skipped: 0 };
      const seen = new Set<string>();
      for (const [host, base] of sites) await harvestSite(host, base, seen, report);
      // Gone from the agency (deleted, made private or unharvestable): the published copy awaits revocation.
      for (const [k, d] of datasets)
        if (!seen.has(k) && PUBLISHED.has(d.governanceState)) d.governanceState = 'WAIT_REVOKE';
      return report;
    },
    setGovernanceState(name, state) {
      const d = [...datasets.values()].find((x) => x.name === name);
      if (!d) throw new RangeError(`the harvester has not harvested ${name}`);
      d.governanceState = state;
      if (state === 'VALIDATE' || state === 'APPROVAL') d.validateTime = nowTime();
    },
    state: (name) => [...datasets.values()].find((x) => x.name === name),
    close: () => server.close(),
  };
}
