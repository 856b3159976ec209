import { isThGovError } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { CATALOG_ERROR_CODES, CatalogError, isCatalogError } from '../src/index.js';

describe('CatalogError', () => {
  it('is a branded ThGovError with a stable code, recognised across package copies', () => {
    const err = new CatalogError('ERR_CATALOG_CONFLICT', 'package_revise: stale', {
      action: 'package_revise',
      statusCode: 409,
    });
    expect(isThGovError(err)).toBe(true);
    expect(isCatalogError(err)).toBe(true);
    expect(isCatalogError(err, 'ERR_CATALOG_CONFLICT')).toBe(true);
    expect(isCatalogError(err, 'ERR_CATALOG_AUTH')).toBe(false);
    expect(err).toMatchObject({
      name: 'CatalogError',
      action: 'package_revise',
      statusCode: 409,
      fieldErrors: [],
    });
    // Another installed copy: not `instanceof`, but the same brand and name.
    const foreign = Object.assign(new Error('x'), { name: 'CatalogError', code: 'ERR_CATALOG_AUTH' });
    Object.defineProperty(foreign, Symbol.for('thgov.error'), { value: true });
    expect(isCatalogError(foreign, 'ERR_CATALOG_AUTH')).toBe(true);
    expect(isCatalogError({ name: 'CatalogError', code: 'ERR_CATALOG_AUTH' })).toBe(false);
    expect(isCatalogError(new TypeError('x'))).toBe(false);
  });

  it('documents every code with a meaning and keeps them in the ERR_CATALOG_ namespace', () => {
    const codes = Object.entries(CATALOG_ERROR_CODES);
    expect(codes.length).toBe(15);
    for (const [code, meaning] of codes) {
      expect(code).toMatch(/^ERR_CATALOG_[A-Z_]+$/);
      expect(meaning.length).toBeGreaterThan(40);
    }
  });

  it('serializes without throwing and with field errors', () => {
    const err = new CatalogError('ERR_CATALOG_VALIDATION', 'bad', {
      fieldErrors: [
        { field: 'data_type', rule: 'required', th: 'ต้องระบุประเภทชุดข้อมูล', en: 'Data type is required' },
      ],
    });
    const json = JSON.parse(JSON.stringify(err));
    expect(json).toMatchObject({ name: 'CatalogError', code: 'ERR_CATALOG_VALIDATION' });
    expect(json.fieldErrors[0].th).toBe('ต้องระบุประเภทชุดข้อมูล');
  });
});
