import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Deeper than any real archive of transcripts; a bound, so a pathological tree cannot run away. */
const MAX_DEPTH = 32;

/** One input to verify, or one that cannot be (a folder that cannot be listed). */
export interface Input {
  file: string;
  /** Why it cannot be read at all; the file is then reported INDETERMINATE without being opened. */
  error?: string;
}

const isPdf = (name: string) => name.toLowerCase().endsWith('.pdf');
/** Code-unit order: the same on every machine and locale. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function walk(dir: string, depth: number, out: Input[]): Promise<void> {
  if (depth > MAX_DEPTH) {
    out.push({ file: dir, error: `folder nested deeper than ${MAX_DEPTH} levels: not searched` });
    return;
  }
  let entries: import('node:fs').Dirent[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
  } catch (err) {
    out.push({ file: dir, error: `cannot list folder (${codeOf(err)})` });
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    // Linked folders are not followed: a link back up the tree would never end.
    if (e.isDirectory()) await walk(path, depth + 1, out);
    else if (isPdf(e.name) && (e.isFile() || (e.isSymbolicLink() && (await isFile(path)))))
      out.push({ file: path });
  }
}

/**
 * The files to verify: a file argument as given (whatever its name; a missing one is reported, not dropped),
 * a folder as every `*.pdf` under it, recursively, in code-unit order of the names (deterministic on every
 * machine). Also returns the folders that held no PDF, so the command can say so.
 */
export async function expandInputs(args: string[]): Promise<{ inputs: Input[]; emptyFolders: string[] }> {
  const inputs: Input[] = [];
  const emptyFolders: string[] = [];
  for (const arg of args) {
    let folder = false;
    try {
      folder = (await stat(arg)).isDirectory();
    } catch {
      // not there: reported as a file that cannot be read
    }
    if (!folder) {
      inputs.push({ file: arg });
      continue;
    }
    const before = inputs.length;
    await walk(arg, 0, inputs);
    if (inputs.length === before) emptyFolders.push(arg);
  }
  return { inputs, emptyFolders };
}
