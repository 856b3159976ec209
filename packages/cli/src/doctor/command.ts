import { redactText } from '@thgov/core';
import { parseCommandArgs } from '../args.js';
import { isConfigError } from '../config/errors.js';
import { configFilePath } from '../config/file-name.js';
import { loadConfig } from '../config/load.js';
import { type CliIo, EXIT, terminalSafeIo, UsageError } from '../io.js';
import { StatusLine } from '../progress.js';
import { writeOutputFile } from '../write-file.js';
import { runDoctor } from './doctor.js';
import { DOCTOR_USAGE } from './usage.js';

export { DOCTOR_USAGE };

import { PLATFORM_TITLE, renderCheck, renderJunit, renderSummary } from './render.js';
import { type CheckResult, PLATFORMS, type Platform } from './report.js';

const OPTIONS = {
  config: { type: 'string' },
  only: { type: 'string' },
  json: { type: 'boolean' },
  junit: { type: 'string' },
  strict: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function platforms(value: string | undefined): Platform[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((p) => !(PLATFORMS as readonly string[]).includes(p));
  if (bad.length || list.length === 0)
    throw new UsageError(`--only takes ${PLATFORMS.join(', ')} (got ${value})`);
  return list as Platform[];
}

/**
 * Text output as the run goes: a platform's heading before its first check, each check when it finishes, and
 * (on a terminal, text output only) the running check with its seconds on stderr.
 */
function streamer(io: CliIo, enabled: boolean, progress: boolean) {
  const status = new StatusLine(io, progress);
  let platform: Platform | undefined;
  const write = (text: string) => {
    status.clear();
    io.stdout.write(redactText(text));
  };
  return {
    status,
    onCheckStart: (c: { title: string }) => status.show(c.title),
    onCheck: (c: CheckResult) => {
      if (!enabled) return;
      if (c.platform !== platform) write(`${platform ? '\n' : ''}${PLATFORM_TITLE[c.platform]}\n`);
      platform = c.platform;
      write(renderCheck(c));
    },
    end: () => {
      status.stop();
      return platform !== undefined;
    },
  };
}

/** `thgov doctor` (for code: `doctorCommand` of commands.ts, which loads this module on use). */
export async function doctorCommand(args: string[], rawIo: CliIo): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const { values } = parseCommandArgs(args, OPTIONS, false);
  if (values.help) {
    io.stdout.write(DOCTOR_USAGE);
    return EXIT.OK;
  }
  const only = platforms(values.only);
  const path = configFilePath(values.config);
  let config: Awaited<ReturnType<typeof loadConfig>>;
  const configWarnings: string[] = [];
  const onWarning = (w: string) => {
    configWarnings.push(w);
    io.stderr.write(`thgov doctor: warning: ${w}\n`);
  };
  try {
    config = await loadConfig(path, { onWarning });
  } catch (err) {
    if (!isConfigError(err)) throw err;
    io.stderr.write(`thgov doctor: ${err.code}: ${err.message}\n${err.hint ? `${err.hint}\n` : ''}`);
    return EXIT.USAGE;
  }
  const text = !values.json;
  // Progress is for a person at a terminal; CI logs (not a TTY) and machine output get none.
  const progress = text && values.junit === undefined && io.stderr.isTTY === true;
  const out = streamer(io, text, progress);
  let report: Awaited<ReturnType<typeof runDoctor>>;
  try {
    report = await runDoctor(config, {
      ...(only ? { only } : {}),
      strict: values.strict === true,
      configWarnings,
      onCheckStart: out.onCheckStart,
      onCheck: out.onCheck,
    });
  } finally {
    if (out.end()) io.stdout.write('\n');
  }
  io.stdout.write(redactText(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderSummary(report)));
  // After the report is out: a JUnit file that cannot be written fails the run (exit 1) but hides nothing.
  if (values.junit)
    await writeOutputFile(values.junit, renderJunit(report, { strict: values.strict === true }), {
      createFolders: true,
    });
  return report.ok ? EXIT.OK : EXIT.FAILED;
}
