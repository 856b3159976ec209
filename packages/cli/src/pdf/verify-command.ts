import type { CliIo } from '../io.js';
import { verifyCommand } from '../transcript/verify-command.js';
import { PDF_VERIFY_USAGE } from './usage.js';

export { PDF_VERIFY_USAGE };

/** `thgov pdf verify` (for code: `pdfVerify` of commands.ts). */
export function pdfVerify(args: string[], io: CliIo): Promise<number> {
  return verifyCommand(args, io, { name: 'pdf verify', usage: PDF_VERIFY_USAGE, fixedPolicy: 'pdf' });
}
