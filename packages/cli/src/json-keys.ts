/** A container being scanned: an object (its keys so far, the last one) or an array (the current index). */
interface Frame {
  keys: Set<string> | undefined;
  key: string;
  index: number;
  expectKey: boolean;
}

/** A key path segment as the configuration's issues spell it, cut short: key names come from the file. */
function segment(f: Frame, first: boolean): string {
  if (!f.keys) return `[${f.index}]`;
  const k = f.key.length > 64 ? `${f.key.slice(0, 64)}…` : f.key;
  return first ? k : `.${k}`;
}

/** Deeper than any real document: a path beyond it is cut (a hostile file nests thousands deep). */
const MAX_PATH_SEGMENTS = 32;

function pathOf(stack: readonly Frame[]): string {
  // Each open container contributes its current key or index; the innermost one's is the key itself.
  const shown = stack.slice(0, MAX_PATH_SEGMENTS).map((f, i) => segment(f, i === 0));
  return `${shown.join('')}${stack.length > MAX_PATH_SEGMENTS ? '…' : ''}`;
}

/** The end of the string starting at `start` (its opening quote): the index of its closing quote. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0 || q === -1) return q;
    i = q + 1;
  }
}

function onKey(f: Frame, raw: string, stack: readonly Frame[], out: string[]): void {
  const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  f.key = key;
  f.expectKey = false;
  if (f.keys?.has(key)) out.push(pathOf(stack));
  f.keys?.add(key);
}

/**
 * The key paths (`exchange.consumerSecret`, `tags[0].name`) of the keys written twice in one object of `text`,
 * which must be valid JSON (parse it first): JSON.parse silently keeps the last, so the value a reviewer reads
 * is not the one used. Keys are compared as decoded (`"a"` and `"\u0061"` are the same key). Iterative, linear
 * in the text, and stops at `limit` findings.
 */
export function duplicateKeyPaths(text: string, limit = 10): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < text.length && out.length < limit; i++) {
    const c = text[i];
    const top = stack.at(-1);
    if (c === '{' || c === '[') {
      const obj = c === '{';
      stack.push({ keys: obj ? new Set() : undefined, key: '', index: 0, expectKey: obj });
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top) {
      if (top.keys) top.expectKey = true;
      else top.index++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (end === -1) break;
      if (top?.keys && top.expectKey) onKey(top, text.slice(i, end + 1), stack, out);
      i = end;
    }
  }
  return out;
}
