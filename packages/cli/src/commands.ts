// The commands as functions, for code that drives the CLI (tests, wrappers, CI scripts). Each loads its command
// module on first call: importing @thgov/cli for its configuration helpers does not load the clients of every
// platform, the signing stack and the PDF verifier (about 150 ms of a cold import). The `thgov` binary loads
// commands on use the same way (run.ts).
import type { ThgovConfig } from './config/schema.js';
import type { DoctorOptions } from './doctor/doctor.js';
import type { DoctorReport } from './doctor/report.js';
import type { CliIo } from './io.js';
import type { VerifyCommandSpec } from './transcript/verify-command.js';

/**
 * `thgov doctor`: runs the connection test of the configuration and prints each check as it finishes.
 *
 * @example
 * ```ts
 * process.exitCode = await doctorCommand(['--config', 'thgov.config.json', '--json'], io);
 * ```
 */
export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  return (await import('./doctor/command.js')).doctorCommand(args, io);
}

/**
 * Runs every check of the selected platforms and returns the report (also usable from code); `onCheck` sees each
 * result as it comes.
 *
 * @example
 * ```ts
 * const report = await runDoctor(await loadConfig('thgov.config.json'), { onCheck: (c) => console.log(c.id, c.status) });
 * ```
 */
export async function runDoctor(config: ThgovConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  return (await import('./doctor/doctor.js')).runDoctor(config, options);
}

/**
 * `thgov pdf sign IN OUT`: signs a PDF with a PKCS#12 file, a PKCS#11 token or a remote CSC credential, at a PAdES level.
 *
 * @example
 * ```ts
 * process.exitCode = await pdfSign(['in.pdf', 'out.pdf', '--pkcs12', 'me.p12', '--trust', 'root.pem'], io);
 * ```
 */
export async function pdfSign(args: string[], io: CliIo): Promise<number> {
  return (await import('./pdf/sign-command.js')).pdfSign(args, io);
}

/**
 * `thgov pdf extend IN OUT --level B-LT|B-LTA`: adds validation data and an archive time-stamp.
 *
 * @example
 * ```ts
 * process.exitCode = await pdfExtend(['signed.pdf', 'archived.pdf', '--level', 'B-LTA', '--tsa', url], io);
 * ```
 */
export async function pdfExtend(args: string[], io: CliIo): Promise<number> {
  return (await import('./pdf/sign-command.js')).pdfExtend(args, io);
}

/**
 * `thgov pdf verify`: any signed PDF under the generic policy, with each file's PAdES level.
 *
 * @example
 * ```ts
 * process.exitCode = await pdfVerify(['--trust', 'root.pem', 'signed.pdf'], io);
 * ```
 */
export async function pdfVerify(args: string[], io: CliIo): Promise<number> {
  return (await import('./pdf/verify-command.js')).pdfVerify(args, io);
}

/**
 * `thgov transcript verify`: verifies files and folders of signed transcripts and prints a table, a summary
 * line, or JSON; `--junit` also writes a JUnit report.
 *
 * @example
 * ```ts
 * process.exitCode = await transcriptVerify(['--trust', 'root.pem', 'inbox/'], io);
 * ```
 */
export async function transcriptVerify(args: string[], io: CliIo): Promise<number> {
  return (await import('./transcript/verify-command.js')).transcriptVerify(args, io);
}

/**
 * The body of `thgov transcript verify` and `thgov pdf verify` (the latter with the generic policy fixed).
 *
 * @example
 * ```ts
 * process.exitCode = await verifyCommand(['--trust', 'root.pem', 'in/'], io, { name: 'pdf verify', usage, fixedPolicy: 'pdf' });
 * ```
 */
export async function verifyCommand(args: string[], io: CliIo, spec: VerifyCommandSpec): Promise<number> {
  return (await import('./transcript/verify-command.js')).verifyCommand(args, io, spec);
}
