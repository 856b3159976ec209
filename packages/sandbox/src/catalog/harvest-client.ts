import type { CatalogSettings } from './context.js';

/**
 * The agency catalog's side of thai_gdc's `get_gdcatalog_state`: POST the bare host name and the dataset to the
 * harvester. Returns whether the harvester answered at all (thai_gdc denies package_delete when it does not).
 */
export async function askPublishedState(settings: CatalogSettings, name: string): Promise<boolean> {
  if (!settings.harvesterUrl) return false;
  try {
    const res = await fetch(`${settings.harvesterUrl}/api/3/action/gdcatalog_published_state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: '' },
      body: JSON.stringify({ site_url: new URL(settings.siteUrl).host, package: name }),
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
