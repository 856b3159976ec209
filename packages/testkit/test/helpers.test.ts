import { describe, expect, it } from 'vitest';
import {
  captureLogger,
  caught,
  expectCode,
  expectRedirect,
  flipByte,
  loginAs,
  replaceOnce,
} from '../src/index.js';

const coded = (code: string) => Object.assign(new Error(`failed with ${code}`), { code });

describe('caught and expectCode', () => {
  it('return the thrown error, sync for functions and async for promises', async () => {
    expect(
      caught(() => {
        throw coded('ERR_X');
      }).code,
    ).toBe('ERR_X');
    expect((await caught(Promise.reject(coded('ERR_Y')))).code).toBe('ERR_Y');
    expect((await caught(async () => Promise.reject(coded('ERR_Z')))).code).toBe('ERR_Z');
    expect(
      expectCode(() => {
        throw coded('ERR_A');
      }, 'ERR_A').message,
    ).toBe('failed with ERR_A');
    await expect(expectCode(Promise.reject(coded('ERR_B')), 'ERR_B')).resolves.toMatchObject({
      code: 'ERR_B',
    });
  });

  it('fail the test when nothing is thrown, a non-error is thrown, or the code differs', async () => {
    expect(() => caught(() => 1)).toThrow('expected the call to throw');
    await expect(caught(Promise.resolve(1))).rejects.toThrow('expected the call to reject');
    expect(() =>
      caught(() => {
        throw 'a string';
      }),
    ).toThrow('expected an Error');
    expect(() =>
      expectCode(() => {
        throw coded('ERR_A');
      }, 'ERR_B'),
    ).toThrow(/error code .*expected 'ERR_A' to be 'ERR_B'/);
    await expect(expectCode(Promise.reject(coded('ERR_A')), 'ERR_B')).rejects.toThrow("expected 'ERR_A'");
  });
});

describe('tamper helpers', () => {
  it('flipByte copies and flips one byte, counting from the end when negative', () => {
    const bytes = new Uint8Array([0, 1, 2, 3]);
    expect([...flipByte(bytes, 1)]).toEqual([0, 0, 2, 3]);
    expect([...flipByte(bytes, -1, 0x80)]).toEqual([0, 1, 2, 0x83]);
    expect([...bytes]).toEqual([0, 1, 2, 3]);
    expect(() => flipByte(bytes, 4)).toThrow(RangeError);
  });

  it('replaceOnce refuses a tamper that would change nothing', () => {
    expect(replaceOnce('<a>1</a><a>1</a>', '1', '2')).toBe('<a>2</a><a>1</a>');
    expect(() => replaceOnce('<a/>', '<b/>', '')).toThrow('tamper target not found');
  });
});

describe('captureLogger', () => {
  it('keeps every call as a line and as an entry', () => {
    const { logger, lines, entries } = captureLogger();
    logger.info('sent', { id: 1 });
    logger.error('failed');
    expect(lines).toEqual(['info sent {"id":1}', 'error failed ']);
    expect(entries.map((e) => e.level)).toEqual(['info', 'error']);
  });
});

describe('login helpers', () => {
  it('loginAs walks the login and returns the callback; anything but a redirect fails', async () => {
    const client = {
      createLoginRequest: async (i: { scope: string }) => ({ url: `https://op/a?${i.scope}`, state: 's1' }),
    };
    const browser = {
      login: async (url: string, o: { citizenId: string }) =>
        o.citizenId === '1'
          ? { kind: 'redirect', url: `https://rp/cb?from=${encodeURIComponent(url)}` }
          : { kind: 'error' },
    };
    const r = await loginAs(client, browser, '1', { scope: 'openid' });
    expect(r).toEqual({
      callbackUrl: 'https://rp/cb?from=https%3A%2F%2Fop%2Fa%3Fopenid',
      state: 's1',
      url: 'https://op/a?openid',
    });
    await expect(loginAs(client, browser, '2', { scope: 'openid' })).rejects.toThrow('expected a redirect');
    expect(() => expectRedirect({ kind: 'page' })).toThrow('expected a redirect, got {"kind":"page"}');
  });
});
