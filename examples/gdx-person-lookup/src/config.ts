/**
 * Everything the lookup needs comes from the environment (12-factor): credentials never live in code.
 *   GDX_BASE_URL         https://api.egov.go.th (production) or the sandbox URL
 *   GDX_CONSUMER_KEY     Consumer-Key e-mailed by DGA
 *   GDX_CONSUMER_SECRET  Consumer-Secret e-mailed by DGA
 *   GDX_AGENT_ID         default officer citizen ID (the card logged in to DOPA's GovAMI); optional
 *   AUDIT_LOG_PATH       append-only, hash-chained JSONL audit log (default ./audit/gdx-lookups.jsonl)
 *   AUDIT_HMAC_SECRET    agency secret (≥ 16 characters) for the keyed hash of citizen IDs in the log
 *   AUDIT_CHAIN_KEY      another secret (≥ 32 characters): the HMAC key of the log's chain, the one
 *                        auditors get to verify it (they never get AUDIT_HMAC_SECRET)
 *   AUDIT_CHAIN_KEY_ID   id written into every record (default "1"); a new id when the key is rotated
 *   HTTPS_PROXY          honoured when GDX_USE_PROXY=1 (agency networks often need it)
 */
export interface LookupConfig {
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  agentId: string | undefined;
  auditLogPath: string;
  auditHmacSecret: string;
  auditChainKey: { id: string; secret: string };
  useProxy: boolean;
}

/** Reads and checks the environment; the error names the wrong variables, never their values. */
export function loadConfig(env: Record<string, string | undefined> = process.env): LookupConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const v = env[name];
    if (!v) problems.push(`${name} is required`);
    return v ?? '';
  };
  const baseUrl = required('GDX_BASE_URL');
  if (baseUrl && !URL.canParse(baseUrl)) problems.push('GDX_BASE_URL must be a URL');
  const consumerKey = required('GDX_CONSUMER_KEY');
  const consumerSecret = required('GDX_CONSUMER_SECRET');
  const auditHmacSecret = required('AUDIT_HMAC_SECRET');
  if (auditHmacSecret && auditHmacSecret.length < 16)
    problems.push('AUDIT_HMAC_SECRET must be at least 16 characters');
  const chainSecret = required('AUDIT_CHAIN_KEY');
  if (chainSecret && chainSecret.length < 32) problems.push('AUDIT_CHAIN_KEY must be at least 32 characters');
  if (chainSecret && chainSecret === auditHmacSecret)
    problems.push('AUDIT_CHAIN_KEY must differ from AUDIT_HMAC_SECRET');
  const proxy = env.GDX_USE_PROXY ?? '0';
  if (proxy !== '0' && proxy !== '1') problems.push('GDX_USE_PROXY must be 0 or 1');
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return {
    baseUrl,
    consumerKey,
    consumerSecret,
    agentId: env.GDX_AGENT_ID || undefined,
    auditLogPath: env.AUDIT_LOG_PATH || './audit/gdx-lookups.jsonl',
    auditHmacSecret,
    auditChainKey: { id: env.AUDIT_CHAIN_KEY_ID || '1', secret: chainSecret },
    useProxy: proxy === '1',
  };
}
