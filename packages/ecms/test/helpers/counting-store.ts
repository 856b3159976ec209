// A LetterStore that counts calls per method and passes each on untouched: what the inbox bench reports as
// where the work goes, and what the worker tests assert about store round trips.
import type { LetterStore } from '../../src/index.js';

export function countingStore<S extends LetterStore>(store: S): { store: S; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      const v = Reflect.get(target, name, receiver);
      if (typeof v !== 'function' || typeof name !== 'string') return v;
      return (...args: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return v.apply(target, args);
      };
    },
  });
  return { store: counted, calls };
}
