import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** A folder of a whole graduating class is large but finite; anything bigger is a wrong path. */
export const MAX_FILES = 100_000;
const MAX_DEPTH = 8;

/** PDF files under `folder` (by extension, subfolders included), as paths relative to it, sorted. */
export async function findPdfs(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) await walk(full, depth + 1);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.pdf')) {
        found.push(relative(folder, full));
        if (found.length > MAX_FILES) throw new Error(`more than ${MAX_FILES} PDF files under ${folder}`);
      }
    }
  };
  await walk(folder, 0);
  return found.sort();
}
