/**
 * The bridge is configured from the environment (12-factor):
 *   ECMS_NODE_URL          the agency's own e-CMS node, e.g. https://ecms.agency.go.th/ecms-ws01/service2
 *   ECMS_ORGANIZATION_ID   the agency's 10-digit department code
 *   ECMS_DB_PATH           SQLite journal (letters, evidence, registration numbers); default ./data/ecms.db
 *   ECMS_REGISTER          register name for registration numbers (ทะเบียนหนังสือรับ); default "central"
 *   ECMS_POLL_INTERVAL_MS  how often the inbox is polled when empty; default 30000
 */
export interface BridgeConfig {
  nodeUrl: string;
  organizationId: string;
  dbPath: string;
  register: string;
  pollIntervalInMs: number;
}

/** Reads and checks the environment; the error names the wrong variables, never their values. */
export function loadConfig(env: Record<string, string | undefined> = process.env): BridgeConfig {
  const problems: string[] = [];
  const nodeUrl = env.ECMS_NODE_URL ?? '';
  if (!nodeUrl) problems.push('ECMS_NODE_URL is required');
  else if (!URL.canParse(nodeUrl)) problems.push('ECMS_NODE_URL must be a URL');
  const organizationId = env.ECMS_ORGANIZATION_ID ?? '';
  if (!/^\d{10}$/.test(organizationId))
    problems.push('ECMS_ORGANIZATION_ID must be a 10-digit department code');
  const poll = Number(env.ECMS_POLL_INTERVAL_MS ?? '30000');
  if (!Number.isInteger(poll) || poll < 10 || poll > 3_600_000)
    problems.push('ECMS_POLL_INTERVAL_MS must be 10–3600000');
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return {
    nodeUrl,
    organizationId,
    dbPath: env.ECMS_DB_PATH || './data/ecms.db',
    register: env.ECMS_REGISTER || 'central',
    pollIntervalInMs: poll,
  };
}
