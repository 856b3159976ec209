import { describe, expect, it } from 'vitest';
import { Telemetry } from '../src/telemetry/index.js';

/** No provider given and nothing registered globally (this file never registers an SDK): telemetry is off. */
const off = () => {
  const t = new Telemetry();
  expect(t.enabled).toBe(false);
  return t;
};

describe('Telemetry.operation with telemetry off', () => {
  it('returns the call’s own promise, not a wrapper around it', async () => {
    const own = Promise.resolve(42);
    const returned = off().operation('x', () => own);
    expect(returned).toBe(own);
    await expect(returned).resolves.toBe(42);
  });

  it('passes a rejection through unchanged', async () => {
    const err = new Error('boom');
    await expect(off().operation('x', () => Promise.reject(err))).rejects.toBe(err);
  });

  it('turns a synchronous throw inside the call into a rejected promise', async () => {
    const err = new TypeError('sync');
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = off().operation('x', () => {
        throw err;
      });
    }).not.toThrow();
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBe(err);
  });

  it('still gives a promise when the call returns a plain value or a thenable', async () => {
    const plain = off().operation('x', (() => 7) as unknown as () => Promise<number>);
    expect(plain).toBeInstanceOf(Promise);
    await expect(plain).resolves.toBe(7);
    // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose (an async function adopts one)
    const thenable = { then: (ok: (v: string) => void) => ok('t') } as unknown as Promise<string>;
    const adopted = off().operation('x', () => thenable);
    expect(adopted).toBeInstanceOf(Promise);
    await expect(adopted).resolves.toBe('t');
  });
});
