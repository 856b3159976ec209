import { DOCTOR_USAGE, doctorCommand } from './doctor/command.js';
import { type CliIo, EXIT, UsageError } from './io.js';
import { SANDBOX_USAGE, sandboxCommand } from './sandbox/command.js';
import { TRANSCRIPT_VERIFY_USAGE, transcriptVerify } from './transcript/verify-command.js';

type Command = { run: (args: string[], io: CliIo) => Promise<number>; summary: string; usage: string };

/** The command tree: `thgov <group> <command>`. Other issues add groups (doctor, sandbox, ecms, audit). */
export const COMMANDS: Record<string, Record<string, Command>> = {
  transcript: {
    verify: {
      run: transcriptVerify,
      summary: 'verify signed PDF transcripts',
      usage: TRANSCRIPT_VERIFY_USAGE,
    },
  },
};

/** Single-word commands: `thgov <command> [options]`. */
export const TOP_LEVEL_COMMANDS: Record<string, Command> = {
  doctor: {
    run: doctorCommand,
    summary: 'connection test of every configured platform',
    usage: DOCTOR_USAGE,
  },
  sandbox: {
    run: (args, io) => sandboxCommand(args, io),
    summary: 'run the local sandbox and write a thgov.config.json for it',
    usage: SANDBOX_USAGE,
  },
};

function mainUsage(): string {
  const lines = ['Usage: thgov <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(TOP_LEVEL_COMMANDS)) lines.push(`  ${name.padEnd(22)} ${c.summary}`);
  for (const [group, cmds] of Object.entries(COMMANDS)) {
    for (const [name, c] of Object.entries(cmds))
      lines.push(`  ${`${group} ${name}`.padEnd(22)} ${c.summary}`);
  }
  lines.push('', "Run 'thgov <command> --help' for a command's options.", '');
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without node and the script path) and returns the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [group, name, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    (group ? io.stdout : io.stderr).write(mainUsage());
    return group ? EXIT.OK : EXIT.USAGE;
  }
  const top = Object.hasOwn(TOP_LEVEL_COMMANDS, group) ? TOP_LEVEL_COMMANDS[group] : undefined;
  if (top) return runCommand(top, group, name === undefined ? rest : [name, ...rest], io);
  const cmds = COMMANDS[group];
  const cmd = cmds && name ? cmds[name] : undefined;
  if (!cmd) {
    io.stderr.write(`thgov: unknown command '${[group, name].filter(Boolean).join(' ')}'\n\n${mainUsage()}`);
    return EXIT.USAGE;
  }
  return runCommand(cmd, `${group} ${name}`, rest, io);
}

async function runCommand(cmd: Command, label: string, args: string[], io: CliIo): Promise<number> {
  try {
    return await cmd.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`thgov ${label}: ${err.message}\n\n${cmd.usage}`);
      return EXIT.USAGE;
    }
    const e = err as { code?: string; message?: string };
    io.stderr.write(`thgov ${label}: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    return EXIT.FAILED;
  }
}
