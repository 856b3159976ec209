import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { redactText } from '@thgov/core';
import { isConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { runDoctor } from './doctor.js';
import { renderHuman, renderJunit } from './render.js';
import { PLATFORMS, type Platform } from './report.js';

export const DOCTOR_USAGE = `Usage: thgov doctor [options]

Connection test: checks every platform configured in thgov.config.json (DNS, TCP, TLS and certificate
expiry, clock skew, credentials, and a harmless call per platform) and explains each failure.

Options:
  --config FILE      configuration file (default: $THGOV_CONFIG or ./${DEFAULT_CONFIG_FILE})
  --only LIST        comma-separated platforms: ${PLATFORMS.join(',')}
  --json             print the report as JSON (schema version 1) instead of text
  --junit FILE       also write a JUnit XML report to FILE (for CI)
  --strict           treat warnings (certificates expiring soon, no DOPA session, …) as failures
  -h, --help         show this help

Exit status: 0 when no check failed (with --strict: and none warned), 1 otherwise, 2 for usage or
configuration errors.
`;

export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  let values: {
    config?: string;
    only?: string;
    json?: boolean;
    junit?: string;
    strict?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        only: { type: 'string' },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    io.stdout.write(DOCTOR_USAGE);
    return EXIT.OK;
  }
  let only: Platform[] | undefined;
  if (values.only !== undefined) {
    const list = values.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.filter((p) => !(PLATFORMS as readonly string[]).includes(p));
    if (bad.length || list.length === 0)
      throw new UsageError(`--only takes ${PLATFORMS.join(', ')} (got ${values.only})`);
    only = list as Platform[];
  }
  const path = values.config ?? process.env.THGOV_CONFIG ?? DEFAULT_CONFIG_FILE;
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(path);
  } catch (err) {
    if (!isConfigError(err)) throw err;
    io.stderr.write(`thgov doctor: ${err.code}: ${err.message}\n${err.hint ? `${err.hint}\n` : ''}`);
    return EXIT.USAGE;
  }
  const report = await runDoctor(config, { ...(only ? { only } : {}), strict: values.strict === true });
  if (values.junit) {
    try {
      await writeFile(values.junit, redactText(renderJunit(report)));
    } catch (err) {
      io.stderr.write(
        `thgov doctor: cannot write ${values.junit} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`,
      );
      return EXIT.FAILED;
    }
  }
  io.stdout.write(redactText(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderHuman(report)));
  return report.ok ? EXIT.OK : EXIT.FAILED;
}
