/**
 * Where `JSON.parse` failed on `text`, as ` at line L, column C` (empty when V8 does not say). V8's message
 * quotes the text around the fault, which may be a secret or personal data (a config value, a maintainer's
 * name): callers report the position only, never the message.
 */
export function jsonErrorPosition(text: string, err: unknown): string {
  const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
  if (pos === undefined) return '';
  const before = text.slice(0, Number(pos)).split('\n');
  return ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
