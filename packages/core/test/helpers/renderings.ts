import { inspect } from 'node:util';

/**
 * Every way an error leaves a process: its message, stack, JSON (what loggers serialize), util.inspect
 * (console.log) and String(); plus any captured log lines. Leak checks search this one text.
 */
export function renderings(err: unknown, lines: readonly string[] = []): string {
  const e = err as Error;
  return [
    e?.message,
    String(e?.stack),
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    String(err),
    ...lines,
  ].join('\n');
}

const THAI_ZERO = 0x0e50;

/**
 * The digits a reader could recover from text, whatever the spelling: percent- and JSON-decoded, HTML
 * character references resolved, NFKC-folded, Thai digits made ASCII, everything else dropped. A test
 * that finds 12 digits of a citizen ID in here has found a leak (the 13th is a check digit).
 */
export function recoverableDigits(text: string): string {
  let t = text;
  for (let i = 0; i < 3; i++) {
    t = t.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
  t = t.replace(/\\+u([0-9A-Fa-f]{4})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  t = t.replace(/&#x([0-9A-Fa-f]+);/g, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16)));
  t = t.replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number.parseInt(d, 10)));
  t = t.normalize('NFKC');
  t = t.replace(/[\u0e50-\u0e59]/g, (c) => String(c.charCodeAt(0) - THAI_ZERO));
  return t.replace(/[^0-9]/g, '');
}
