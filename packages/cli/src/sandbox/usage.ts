import { DEFAULT_CONFIG_FILE } from '../config/file-name.js';
import { SANDBOX_FAULT_PROFILES } from './faults.js';

/** The help text of the command (light: `--help` loads this, not the command). */
export const SANDBOX_USAGE = `Usage: thgov sandbox [options]

Starts every emulated platform on 127.0.0.1 (GDX gateway, ThaID- and DGA-like OpenID providers, e-CMS nodes,
test PKI), prints URLs, test credentials and test people, writes a thgov.config.json that points at them, and
runs until Ctrl-C / SIGTERM. Synthetic data only. Needs @thgov/sandbox installed next to @thgov/cli.

Options:
  --port N            GDX on N, ThaID on N+1, DGA Digital ID on N+2 (default: free ports); e-CMS nodes use free ports
  --config-out FILE   where to write the configuration (default: ./${DEFAULT_CONFIG_FILE}; an existing file is
                      only replaced when thgov sandbox wrote it); mode 0600, it holds the test credentials
  --transcripts DIR   also write sample transcripts to DIR (good, tampered, signed by a revoked registrar), with
                      the root (root.pem) and CRLs they verify against; a file of those names there (or a
                      thgov-sandbox-root.pem beside the configuration) is only replaced when thgov sandbox wrote it
  --faults PROFILE    ${Object.keys(SANDBOX_FAULT_PROFILES).join(' | ')} (default none): injected on GDX and e-CMS
  --seed N            seed for people, companies and credentials (default 2026)
  -h, --help          show this help
`;
