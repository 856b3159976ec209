import { ThGovError } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { DIGITAL_ID_ERROR_CODES, DigitalIdError, isDigitalIdError } from '../src/index.js';

describe('isDigitalIdError', () => {
  it('checks the thgov brand, the class name and the code', () => {
    const e = new DigitalIdError('ERR_DIGITAL_ID_STATE_EXPIRED', 'login took too long');
    expect(isDigitalIdError(e)).toBe(true);
    expect(isDigitalIdError(e, 'ERR_DIGITAL_ID_STATE_EXPIRED')).toBe(true);
    expect(isDigitalIdError(e, 'ERR_DIGITAL_ID_STATE_MISMATCH')).toBe(false);
    expect(isDigitalIdError(new DigitalIdError('ERR_TIMEOUT', 'x'), 'ERR_TIMEOUT')).toBe(true);
    // The same code on another class; an Error that only borrows the name and carries no thgov code.
    expect(isDigitalIdError(new ThGovError('ERR_DIGITAL_ID_STATE_EXPIRED', 'x'))).toBe(false);
    expect(isDigitalIdError(Object.assign(new Error('x'), { name: 'DigitalIdError' }))).toBe(false);
    expect(isDigitalIdError({ name: 'DigitalIdError', code: 'ERR_DIGITAL_ID_STATE_EXPIRED' })).toBe(false);
  });

  it('every documented code names its package', () => {
    for (const code of Object.keys(DIGITAL_ID_ERROR_CODES)) expect(code).toMatch(/^ERR_DIGITAL_ID_[A-Z_]+$/);
  });
});
