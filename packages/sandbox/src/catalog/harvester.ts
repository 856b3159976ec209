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

/** A dataset as the GD Catalog knows it. */
export interface HarvestedDataset {
  site: string;
  id: string;
  name: string;
  /** The agency's metadata_modified when last harvested. */
  metadataModified: string;
  governanceState: GovernanceState;
  validateTime: string;
}

/** Options of the GD Catalog harvester. */
export interface GdCatalogHarvesterOptions {
  host?: string;
  port?: number;
  faults?: FaultProfile;
  /** New datasets go straight to VALIDATE (published) instead of WAIT. Default false. */
  autoApprove?: boolean;
}

/** What one harvest run did. */
export interface HarvestReport {
  pages: number;
  harvested: number;
  skipped: number;
}

/** A running GD Catalog harvester. */
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
const key = (site: string, name: string) => `${site}\u0000${name}`;

/** The harvester's memory: the agency catalogs it knows, and each dataset's governance state. */
class HarvesterState {
  readonly sites = new Map<string, string>();
  readonly datasets = new Map<string, HarvestedDataset>();
  constructor(readonly autoApprove: boolean) {}

  find(site: string | undefined, wanted: string): HarvestedDataset | undefined {
    for (const d of this.datasets.values()) {
      if ((site === undefined || d.site === site) && (d.name === wanted || d.id === wanted)) return d;
    }
    return undefined;
  }

  /** A dataset seen in this run: new ones wait (or are approved), a validated one that changed is modified. */
  record(host: string, d: Record<string, unknown>): void {
    const k = key(host, String(d.name));
    const modified = String(d.metadata_modified ?? '');
    const prev = this.datasets.get(k);
    if (!prev) {
      this.datasets.set(k, {
        site: host,
        id: String(d.id),
        name: String(d.name),
        metadataModified: modified,
        governanceState: this.autoApprove ? 'VALIDATE' : 'WAIT',
        validateTime: this.autoApprove ? nowTime() : '',
      });
    } else if (prev.metadataModified !== modified) {
      prev.metadataModified = modified;
      if (prev.governanceState === 'VALIDATE') prev.governanceState = 'VALIDATE_MODIFIED';
    }
  }

  /** Pages one agency catalog's public package_search, as the CKAN harvester does. */
  async harvestSite(host: string, base: string, seen: Set<string>, report: HarvestReport): Promise<void> {
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
        this.record(host, d);
        report.harvested++;
      }
    }
  }

  async harvest(): Promise<HarvestReport> {
    const report: HarvestReport = { pages: 0, harvested: 0, skipped: 0 };
    const seen = new Set<string>();
    for (const [host, base] of this.sites) await this.harvestSite(host, base, seen, report);
    // Gone from the agency (deleted, made private or unharvestable): the published copy awaits revocation.
    for (const [k, d] of this.datasets)
      if (!seen.has(k) && PUBLISHED.has(d.governanceState)) d.governanceState = 'WAIT_REVOKE';
    return report;
  }
}

/** `gdcatalog_published_state` / `gdcatalog_nonpublish_state`: POST `{site_url, package}`. */
async function answerState(state: HarvesterState, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
  if (!state.sites.has(site)) {
    sendJson(res, 404, {
      success: false,
      error: { __type: 'Not Found Error', message: `Not found: site ${site}` },
    });
    return;
  }
  const d = state.find(site, String(body.package ?? ''));
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

/**
 * Starts the GD Catalog harvester on 127.0.0.1. Register agency catalogs, then `harvest()` runs one pass.
 *
 * @example
 * ```ts
 * const gd = await startGdCatalogHarvester();
 * gd.register(agency.url);
 * await gd.harvest();
 * gd.setGovernanceState('population-by-province-2566', 'VALIDATE');
 * ```
 */
export async function startGdCatalogHarvester(
  options: GdCatalogHarvesterOptions = {},
): Promise<GdCatalogHarvester> {
  const state = new HarvesterState(options.autoApprove === true);
  const faults = new FaultInjector(options.faults ?? { rules: [] });
  const server = await listen(
    async (req, res) => {
      if (await faults.intercept(req, res)) return;
      await answerState(state, req, res);
    },
    { host: options.host, port: options.port },
  );
  return {
    url: server.url,
    faults,
    register: (siteUrl) => state.sites.set(new URL(siteUrl).host, siteUrl.replace(/\/+$/, '')),
    harvest: () => state.harvest(),
    setGovernanceState(name, governance) {
      const d = state.find(undefined, name);
      if (!d) throw new RangeError(`the harvester has not harvested ${name}`);
      d.governanceState = governance;
      if (governance === 'VALIDATE' || governance === 'APPROVAL') d.validateTime = nowTime();
    },
    state: (name) => state.find(undefined, name),
    close: () => server.close(),
  };
}
