/**
 * Everything comes from the environment (12-factor): the token never lives in code.
 *   CATALOG_BASE_URL       the agency catalog root (https://data.agency.go.th); unset: a sandbox catalog is started
 *   CATALOG_API_TOKEN      CKAN API token of an editor of the organization
 *   CATALOG_HARVESTER_URL  the GD Catalog harvester (default https://harvester.gdcatalog.go.th)
 */
export interface PublishConfig {
  baseUrl: string | undefined;
  apiToken: string | undefined;
  harvesterUrl: string | undefined;
}

/** Reads and checks the environment; the error names the wrong variables, never their values. */
export function loadConfig(env: Record<string, string | undefined> = process.env): PublishConfig {
  const problems: string[] = [];
  const baseUrl = env.CATALOG_BASE_URL || undefined;
  if (baseUrl && !URL.canParse(baseUrl)) problems.push('CATALOG_BASE_URL must be a URL');
  if (baseUrl && !env.CATALOG_API_TOKEN) problems.push('CATALOG_API_TOKEN is required with CATALOG_BASE_URL');
  const harvesterUrl = env.CATALOG_HARVESTER_URL || undefined;
  if (harvesterUrl && !URL.canParse(harvesterUrl)) problems.push('CATALOG_HARVESTER_URL must be a URL');
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return { baseUrl, apiToken: env.CATALOG_API_TOKEN || undefined, harvesterUrl };
}
