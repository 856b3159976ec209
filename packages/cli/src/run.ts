import { didYouMean, explainUnknownOption, optionsInUsage } from './args.js';
import { thgovCommand } from './command-name.js';
import { type CliIo, EXIT, terminalSafeIo, UsageError } from './io.js';
import { CLI_VERSION } from './version.js';

interface LoadedCommand {
  run: (args: string[], io: CliIo) => Promise<number>;
  usage: string;
}
/**
 * Commands are loaded on use: `thgov transcript verify` should not start up the digital-ID provider or the
 * e-CMS stack (nor print their warnings) just to verify a PDF, and `thgov --help` starts in a blink.
 */
type Command = { summary: string; load: () => Promise<LoadedCommand>; help: () => Promise<string> };

/** `thgov <component> migrate`: the PostgreSQL tables of one component. */
function migrate(component: 'ecms' | 'audit' | 'digital-id', summary: string): Command {
  return {
    summary,
    load: async () => {
      const m = await import('./postgres/migrate-command.js');
      return { run: (args, io) => m.migrateCommand(component, args, io), usage: m.migrateUsage(component) };
    },
    help: async () => (await import('./postgres/migrate-command.js')).migrateUsage(component),
  };
}

/** The command tree: `thgov <group> <command>`. */
export const COMMANDS: Record<string, Record<string, Command>> = {
  audit: {
    verify: {
      summary: 'check the hash chain of audit logs',
      load: async () => {
        const m = await import('./audit/verify-command.js');
        return { run: m.auditVerify, usage: m.AUDIT_VERIFY_USAGE };
      },
      help: async () => (await import('./audit/verify-command.js')).AUDIT_VERIFY_USAGE,
    },
    migrate: migrate('audit', 'create or upgrade the PostgreSQL audit tables'),
  },
  catalog: {
    validate: {
      summary: 'check dataset metadata against the thai_gdc standard',
      load: async () => {
        const m = await import('./catalog/validate-command.js');
        return { run: m.catalogValidate, usage: m.CATALOG_VALIDATE_USAGE };
      },
      help: async () => (await import('./catalog/usage.js')).CATALOG_VALIDATE_USAGE,
    },
    publish: {
      summary: 'create or update a dataset, upload a resource, load the DataStore',
      load: async () => {
        const m = await import('./catalog/publish-command.js');
        return { run: m.catalogPublish, usage: m.CATALOG_PUBLISH_USAGE };
      },
      help: async () => (await import('./catalog/usage.js')).CATALOG_PUBLISH_USAGE,
    },
    search: {
      summary: "list the data catalog's datasets",
      load: async () => {
        const m = await import('./catalog/search-command.js');
        return { run: m.catalogSearch, usage: m.CATALOG_SEARCH_USAGE };
      },
      help: async () => (await import('./catalog/usage.js')).CATALOG_SEARCH_USAGE,
    },
    status: {
      summary: "a dataset's state at the GD Catalog",
      load: async () => {
        const m = await import('./catalog/status-command.js');
        return { run: m.catalogStatus, usage: m.CATALOG_STATUS_USAGE };
      },
      help: async () => (await import('./catalog/usage.js')).CATALOG_STATUS_USAGE,
    },
  },
  ecms: {
    migrate: migrate('ecms', 'create or upgrade the PostgreSQL e-CMS journal tables'),
  },
  'digital-id': {
    migrate: migrate('digital-id', 'create or upgrade the PostgreSQL login-state tables'),
  },
  pdf: {
    sign: {
      summary: 'sign a PDF (PAdES B-B to B-LTA) with a PKCS#12 file or a remote CSC key',
      load: async () => {
        const m = await import('./pdf/sign-command.js');
        return { run: m.pdfSign, usage: m.PDF_SIGN_USAGE };
      },
      help: async () => (await import('./pdf/usage.js')).PDF_SIGN_USAGE,
    },
    extend: {
      summary: 'add validation data (B-LT) and an archive time-stamp (B-LTA) to a signed PDF',
      load: async () => {
        const m = await import('./pdf/sign-command.js');
        return { run: m.pdfExtend, usage: m.PDF_EXTEND_USAGE };
      },
      help: async () => (await import('./pdf/usage.js')).PDF_EXTEND_USAGE,
    },
    verify: {
      summary: 'verify the signatures of any signed PDF (generic policy)',
      load: async () => {
        const m = await import('./pdf/verify-command.js');
        return { run: m.pdfVerify, usage: m.PDF_VERIFY_USAGE };
      },
      help: async () => (await import('./pdf/usage.js')).PDF_VERIFY_USAGE,
    },
  },
  transcript: {
    verify: {
      summary: 'verify signed PDF transcripts (files or folders)',
      load: async () => {
        const m = await import('./transcript/verify-command.js');
        return { run: m.transcriptVerify, usage: m.TRANSCRIPT_VERIFY_USAGE };
      },
      help: async () => (await import('./transcript/usage.js')).TRANSCRIPT_VERIFY_USAGE,
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
    help: async () => (await import('./doctor/usage.js')).DOCTOR_USAGE,
  },
  sandbox: {
    summary: 'run the local sandbox and write a thgov.config.json for it',
    load: async () => {
      const m = await import('./sandbox/command.js');
      return { run: (args, io) => m.sandboxCommand(args, io), usage: m.SANDBOX_USAGE };
    },
    help: async () => (await import('./sandbox/usage.js')).SANDBOX_USAGE,
  },
};

const GLOBAL_OPTIONS = ['--help', '--version'];

function allCommands(): string[] {
  const out = Object.keys(TOP_LEVEL_COMMANDS);
  for (const [group, cmds] of Object.entries(COMMANDS))
    for (const name of Object.keys(cmds)) out.push(`${group} ${name}`);
  return out;
}

function mainUsage(): string {
  const lines = ['Usage: thgov <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(TOP_LEVEL_COMMANDS)) lines.push(`  ${name.padEnd(22)} ${c.summary}`);
  for (const [group, cmds] of Object.entries(COMMANDS)) {
    for (const [name, c] of Object.entries(cmds))
      lines.push(`  ${`${group} ${name}`.padEnd(22)} ${c.summary}`);
  }
  lines.push(
    '',
    'Options:',
    '  -h, --help             this help (also: thgov help <command>)',
    '  -v, --version          the version of @thgov/cli',
    '',
    `Run '${thgovCommand()} <command> --help' for a command's options.`,
    '',
  );
  return lines.join('\n');
}

function groupUsage(group: string): string {
  const lines = [`Usage: thgov ${group} <command> [options]`, '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS[group] ?? {}))
    lines.push(`  ${`${group} ${name}`.padEnd(22)} ${c.summary}`);
  lines.push('', `Run '${thgovCommand()} ${group} <command> --help' for a command's options.`, '');
  return lines.join('\n');
}

function usageError(io: CliIo, label: string, message: string, usage: string): number {
  io.stderr.write(`${label}: ERR_INVALID_ARG: ${message}\n\n${usage}`);
  return EXIT.USAGE;
}

function unknownCommand(io: CliIo, words: string[]): number {
  const typed = words.join(' ');
  const guess = didYouMean(typed, allCommands()) ?? didYouMean(words[0] ?? '', allCommands());
  const hint = guess ? ` (did you mean '${guess}'?)` : '';
  return usageError(io, 'thgov', `unknown command '${typed}'${hint}`, mainUsage());
}

const isHelp = (a: string | undefined) => a === '--help' || a === '-h';

/**
 * Runs the CLI with `argv` (without node and the script path) and returns the exit code. Everything the
 * commands print goes through `terminalSafeIo`.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function run(argv: string[], rawIo: CliIo): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(mainUsage());
    return EXIT.USAGE;
  }
  if (isHelp(first)) {
    io.stdout.write(mainUsage());
    return EXIT.OK;
  }
  if (first === 'help') return rest.length ? run([...rest, '--help'], io) : run(['--help'], io);
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${CLI_VERSION}\n`);
    return EXIT.OK;
  }
  if (first.startsWith('-'))
    return usageError(
      io,
      'thgov',
      explainUnknownOption(`Unknown option '${first}'`, GLOBAL_OPTIONS),
      mainUsage(),
    );
  const top = Object.hasOwn(TOP_LEVEL_COMMANDS, first) ? TOP_LEVEL_COMMANDS[first] : undefined;
  if (top) return runCommand(top, first, rest, io);
  const group = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!group)
    return unknownCommand(
      io,
      argv.slice(0, 2).filter((a) => !a.startsWith('-')),
    );
  const [name, ...args] = rest;
  if (isHelp(name)) {
    io.stdout.write(groupUsage(first));
    return EXIT.OK;
  }
  if (name === undefined)
    return usageError(
      io,
      `thgov ${first}`,
      `missing command: ${Object.keys(group).join(', ')}`,
      groupUsage(first),
    );
  const cmd = Object.hasOwn(group, name) ? group[name] : undefined;
  if (!cmd) {
    const guess = didYouMean(name, Object.keys(group));
    const hint = guess ? ` (did you mean '${first} ${guess}'?)` : '';
    return usageError(io, `thgov ${first}`, `unknown command '${first} ${name}'${hint}`, groupUsage(first));
  }
  return runCommand(cmd, `${first} ${name}`, args, io);
}

/** `--help` or `-h` among the options (not after `--`, where it would be a file name). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some(isHelp);
}

async function runCommand(entry: Command, label: string, args: string[], io: CliIo): Promise<number> {
  // Help from the usage text alone: `thgov doctor --help` does not load the clients doctor drives.
  if (asksForHelp(args)) {
    io.stdout.write(await entry.help());
    return EXIT.OK;
  }
  const cmd = await entry.load();
  try {
    return await cmd.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      // Commands that parse on their own get the "did you mean" from the options their usage lists.
      const message = explainUnknownOption(err.message, optionsInUsage(cmd.usage));
      return usageError(io, `thgov ${label}`, message, cmd.usage);
    }
    const e = err as { code?: string; message?: string; hint?: string };
    io.stderr.write(
      `thgov ${label}: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n${e.hint ? `${e.hint}\n` : ''}`,
    );
    return EXIT.FAILED;
  }
}
