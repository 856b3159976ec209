import { captureLogger, cpuMsOf } from '@thgov/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CITIZEN_ID_MASK,
  completeThaiId,
  REDACTED,
  redactValue,
  registerSecret,
  unregisterSecret,
} from '../../src/index.js';
import { SafeLogger } from '../../src/internal.js';
import { recoverableDigits } from '../helpers/renderings.js';

/**
 * Keys of logged objects. `redactValue` and the SafeLogger masked every value and looked at each key's NAME, but
 * wrote the key itself as it was: a batch result keyed by citizen ID (`{ "1103700123458": { valid: true } }`), a
 * `Map<pid, person>` cache logged for debugging or an object keyed by a token put the ID or the secret in clear.
 */

const ID = completeThaiId('110370012345');
const OTHER_ID = completeThaiId('310050012345');
const SECRET = 'sk_live_object-key-secret-0123';

afterEach(() => unregisterSecret(SECRET));

describe('personal data and secrets in object keys', () => {
  it('redactValue masks a citizen ID or a registered secret used as a key, keeping both entries', () => {
    registerSecret(SECRET);
    const out = redactValue({
      results: { [ID]: { valid: true }, [OTHER_ID]: { valid: false }, [SECRET]: 1 },
    });
    const text = JSON.stringify(out);
    expect(recoverableDigits(text)).not.toContain(ID.slice(0, 12));
    expect(recoverableDigits(text)).not.toContain(OTHER_ID.slice(0, 12));
    expect(text).not.toContain(SECRET);
    const results = (out as { results: Record<string, unknown> }).results;
    // Two IDs masked alike stay two entries: neither result is lost.
    expect(Object.keys(results)).toHaveLength(3);
    expect(Object.keys(results).filter((k) => k.startsWith(CITIZEN_ID_MASK))).toHaveLength(2);
    expect(Object.values(results)).toContainEqual({ valid: false });
    expect(Object.keys(results).some((k) => k.startsWith(REDACTED))).toBe(true);
  });

  it('the SafeLogger masks keys of objects and Maps in a context', () => {
    registerSecret(SECRET);
    const { logger, lines } = captureLogger();
    new SafeLogger(logger, 'debug').info(`batch of ${2}`, {
      byPid: new Map([[ID, 'ok']]),
      obj: { [OTHER_ID]: 1, [SECRET]: 2 },
      thaiDigits: { [ID.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)))]: 'found' },
    });
    const text = lines.join('\n');
    expect(recoverableDigits(text)).not.toContain(ID.slice(0, 12));
    expect(recoverableDigits(text)).not.toContain(OTHER_ID.slice(0, 12));
    expect(text).not.toContain(SECRET);
    expect(text).toContain(CITIZEN_ID_MASK);
  });

  it('an object keyed by 20,000 citizen IDs keeps every entry, in linear time', () => {
    const byId: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) byId[completeThaiId(String(110_370_000_000 + i * 7))] = i;
    let out: Record<string, unknown> = {};
    // Each key searched through every earlier suffix took 17 s of CPU here.
    expect(cpuMsOf(() => (out = redactValue(byId) as Record<string, unknown>))).toBeLessThan(8000);
    expect(Object.keys(out)).toHaveLength(20_000);
    expect(new Set(Object.values(out)).size).toBe(20_000);
    expect(out[`${CITIZEN_ID_MASK} (20000)`]).toBeTypeOf('number');
  });

  it('keeps ordinary keys as they are', () => {
    const value = { statusCode: 404, '2026-12-07': 3, 'GET /ws/dopa/1.0': 'ok', 12345: 'x' };
    expect(redactValue(value)).toEqual(value);
  });
});
