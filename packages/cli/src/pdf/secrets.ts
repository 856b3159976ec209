import { registerSecret } from '@thgov/core';
import type { CliIo } from '../io.js';
import { UsageError } from '../io.js';
import { MAX_SECRET_BYTES, readFailure, readInputFile } from '../read-input-file.js';

/**
 * A secret (passphrase, PIN, token) from a file (first line, without a UTF-8 byte-order mark) or an environment
 * variable, never from argv, where it would sit in the shell history and in `ps`. Registered with core's redaction so that no log or
 * error shows it. The file may be a pipe (`--pin-file <(pass show x)`, `/dev/stdin`), read up to
 * `MAX_SECRET_BYTES` (/dev/zero is refused as too large); a directory or socket is refused.
 */
export async function readSecret(
  what: string,
  from: {
    file?: string | undefined;
    env?: string | undefined;
    defaultEnv: string;
    /** An empty value is a real one (a PKCS#12 file exported with an empty password), not a mistake. */
    allowEmpty?: boolean;
  },
): Promise<string> {
  let value: string | undefined;
  if (from.file !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = await readInputFile(from.file, {
        maxBytes: MAX_SECRET_BYTES,
        streams: true,
        limitName: 'the limit for a secret',
      });
    } catch (err) {
      // The reason only (an errno code, "not a regular file", "larger than"): never what was read.
      throw new UsageError(`cannot read the ${what} file ${from.file}${readFailure(err)}`);
    }
    // A file saved by Windows Notepad starts with a UTF-8 byte-order mark, which is no part of the secret.
    value = Buffer.from(bytes)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[0];
  } else {
    const name = from.env ?? from.defaultEnv;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError(`${name} is not an environment variable name`);
    value = process.env[name];
    if (value === undefined) throw new UsageError(`the ${what} is not set: set ${name} or give a file`);
  }
  if (!value) {
    if (from.allowEmpty) return '';
    throw new UsageError(`the ${what} is empty`);
  }
  registerSecret(value);
  return value;
}

/** One line the user types (an OTP), after a prompt on stderr; bounded so a stream without newline ends. */
export async function readLine(io: CliIo, prompt: string): Promise<string> {
  if (!io.stdin) throw new UsageError('this credential needs an OTP, and there is no input to read it from');
  io.stderr.write(prompt);
  let text = '';
  for await (const chunk of io.stdin) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('\n') || text.length > 256) break;
  }
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!line) throw new UsageError('no OTP was typed');
  registerSecret(line);
  return line;
}
