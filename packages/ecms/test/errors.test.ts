import { ThGovError } from '@thgov/core';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../src/codec.js';
import { EcmsError, EcmsFaultError, isEcmsError } from '../src/index.js';

describe('isEcmsError', () => {
  it('checks the thgov brand, the class name (EcmsError or EcmsFaultError) and the code', () => {
    const e = new EcmsError('ERR_ECMS_SIGNATURE', 'bad signature');
    expect(isEcmsError(e)).toBe(true);
    expect(isEcmsError(e, 'ERR_ECMS_SIGNATURE')).toBe(true);
    expect(isEcmsError(e, 'ERR_ECMS_XML')).toBe(false);
    const fault = new EcmsFaultError({ nodeCode: 'E01', operation: 'SendLetter' });
    expect(isEcmsError(fault, 'ERR_ECMS_FAULT')).toBe(true);
    expect(fault).toBeInstanceOf(EcmsError);
    expect(isEcmsError(new ThGovError('ERR_ECMS_XML', 'x'))).toBe(false);
    expect(isEcmsError({ name: 'EcmsError', code: 'ERR_ECMS_XML' })).toBe(false);
  });

  it('recognizes what the package throws', () => {
    const err = caught(() => decodeEnvelope('not xml at all'));
    expect(isEcmsError(err, 'ERR_ECMS_XML')).toBe(true);
    expect(err.name).toBe('EcmsError');
  });
});
