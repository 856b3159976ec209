import { DEFAULT_CONFIG_FILE } from '../config/file-name.js';
import { PLATFORMS } from './report.js';

/** The help text of the command (light: `--help` loads this, not the command). */
export const DOCTOR_USAGE = `Usage: thgov doctor [options]

Connection test: checks every platform configured in thgov.config.json (DNS, TCP, TLS and certificate
expiry, clock skew, credentials, and a harmless call per platform) and explains each failure. Each check is
printed as it finishes; on a terminal, the running one is shown on stderr.

Options:
  --config FILE      configuration file (default: $THGOV_CONFIG or ./${DEFAULT_CONFIG_FILE})
  --only LIST        comma-separated platforms: ${PLATFORMS.join(',')}
  --json             print the report as JSON (schema version 1) instead of text
  --junit FILE       also write a JUnit XML report to FILE (for CI)
  --strict           treat warnings (certificates expiring soon, no DOPA session, a sandbox root trusted
                     by a production configuration, a configuration file others can read holding secrets
                     in clear or every user can change, …) as failures
  -h, --help         show this help

Exit status: 0 when no check failed (with --strict: and none warned), 1 otherwise, 2 for usage or
configuration errors.
`;
