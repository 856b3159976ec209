import { type CliIo, EXIT, UsageError } from './io.js';

interface LoadedCommand {
  run: (args: string[], io: CliIo) => Promise<number>;
  usage: string;
}
/**
 * Commands are loaded on use: `thgov transcript verify` should not start up the digital-ID provider or the
 * e-CMS stack (nor print their warnings) just to verify a PDF.
 */
type Command = { summary: string; load: () => Promise<LoadedCommand> };

/** The command tree: `thgov <group> <command>`. Other issues add groups (doctor, sandbox, ecms, audit). */
/** `thgov <component> migrate`: the PostgreSQL tables of one component. */
function migrate(component: 'ecms' | 'audit' | 'digital-id', summary: string): Command {
  return {
    summary,
    load: async () => {
      const m = await import('./postgres/migrate-command.js');
      return { run: (args, io) => m.migrateCommand(component, args, io), usage: m.migrateUsage(component) };
    },
  };
}

export const COMMANDS: Record<string, Record<string, Command>> = {
  audit: {
    verify: {
      summary: 'check the hash chain of audit logs',
      load: async () => {
        const m = await import('./audit/verify-command.js');
        return { run: m.auditVerify, usage: m.AUDIT_VERIFY_USAGE };
      },
    },
    migrate: migrate('audit', 'create or upgrade the PostgreSQL audit tables'),
  },
  ecms: {
    migrate: migrate('ecms', 'create or upgrade the PostgreSQL e-CMS journal tables'),
  },
  'digital-id': {
    migrate: migrate('digital-id', 'create or upgrade the PostgreSQL login-state tables'),
  },
  transcript: {
    verify: {
      summary: 'verify signed PDF transcripts',
      load: async () => {
        const m = await import('./transcript/verify-command.js');
        return { run: m.transcriptVerify, usage: m.TRANSCRIPT_VERIFY_USAGE };
      },
    },
  },
};

/** Single-word commands: `thgov <command> [options]`. */
export const TOP_LEVEL_COMMANDS: Record<string, Command> = {
  doctor: {
    summary: 'connection test of every configured platform',
    load: async () => {
      const m = await import('./doctor/command.js');
      return { run: m.doctorCommand, usage: m.DOCTOR_USAGE };
    },
  },
  sandbox: {
    summary: 'run the local sandbox and write a thgov.config.json for it',
    load: async () => {
      const m = await import('./sandbox/command.js');
      return { run: (args, io) => m.sandboxCommand(args, io), usage: m.SANDBOX_USAGE };
    },
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

async function runCommand(entry: Command, label: string, args: string[], io: CliIo): Promise<number> {
  const cmd = await entry.load();
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
