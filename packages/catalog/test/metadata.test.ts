import { FIXTURE_DATASETS } from '@thgov/sandbox';
import { describe, expect, it } from 'vitest';
import {
  DATA_CATEGORY,
  DATA_TYPES,
  LICENSES_21,
  OTHER,
  specFromScheming,
  THAI_GDC_21,
  THAI_GDC_22,
  thaiGdcDatasetSchema22,
  thaiGdcResourceSchema22,
  validateDataset,
  validateResource,
} from '../src/index.js';
import { validDataset } from './helpers/catalog.js';

const fields = (r: ReturnType<typeof validateDataset>) => r.errors.map((e) => `${e.field}:${e.rule}`);

describe('validateDataset (offline, thai_gdc standard)', () => {
  it('accepts complete metadata in both versions, and the sandbox fixtures too', () => {
    for (const version of ['2.1', '2.2'] as const) {
      expect(validateDataset(validDataset(), { version })).toMatchObject({
        valid: true,
        errors: [],
        specVersion: version,
      });
      for (const { dataset } of FIXTURE_DATASETS) {
        const r = validateDataset({ ...dataset, owner_org: 'x' }, { version });
        expect(r.errors, `${dataset.name}`).toEqual([]);
      }
    }
  });

  it('names every missing mandatory item, in Thai and English', () => {
    const r = validateDataset({}, { version: '2.2' });
    expect(r.valid).toBe(false);
    const required = r.errors.filter((e) => e.rule === 'required').map((e) => e.field);
    expect(required.sort()).toEqual(
      [
        'data_category',
        'data_format',
        'data_source',
        'data_type',
        'geo_coverage',
        'license_id',
        'maintainer',
        'maintainer_email',
        'name',
        'notes',
        'objective',
        'owner_org',
        'tag_string',
        'title',
        'update_frequency_unit',
      ].sort(),
    );
    const dataType = r.errors.find((e) => e.field === 'data_type');
    expect(dataType).toMatchObject({ th: 'ต้องระบุประเภทชุดข้อมูล', en: 'Data type is required' });
  });

  it('wants the exact Thai choice values, not look-alikes', () => {
    const r = validateDataset(
      validDataset({ geo_coverage: 'ทั้งประเทศ', objective: ['พันธกิจ'], license_id: 'CC-BY' }),
      { version: '2.2' },
    );
    expect(fields(r).sort()).toEqual(['geo_coverage:choice', 'license_id:choice', 'objective:choice']);
    const geo = r.errors.find((e) => e.field === 'geo_coverage');
    expect(geo?.th).toContain('"ทั้งประเทศ"');
    expect(geo?.en).toContain('not one of the allowed values');
  });

  it('applies the "อื่นๆ" rule: a choice of other needs its _other text', () => {
    const missing = validateDataset(
      validDataset({ objective: ['พันธกิจหน่วยงาน', OTHER], update_frequency_unit: OTHER, license_id: OTHER }),
      { version: '2.1' },
    );
    expect(fields(missing).sort()).toEqual([
      'license_id_other:other_required',
      'objective_other:other_required',
      'update_frequency_unit_other:other_required',
    ]);
    const given = validateDataset(
      validDataset({
        objective: [OTHER],
        objective_other: 'แผนปฏิบัติการด้านดิจิทัล',
        update_frequency_unit: OTHER,
        update_frequency_unit_other: 'ตามรอบการสำรวจ',
        license_id: OTHER,
        license_id_other: 'Open Government License - Thailand',
      }),
      { version: '2.1' },
    );
    expect(given.errors).toEqual([]);
    expect(fields(validateDataset(validDataset({ objective_other: 42 }), { version: '2.2' }))).toEqual([
      'objective_other:type',
    ]);
  });

  it('wants the strings "True"/"False", not JSON booleans', () => {
    const r = validateDataset(validDataset({ allow_harvest: true, official_statistics: 'yes' }), {
      version: '2.2',
    });
    expect(fields(r).sort()).toEqual(['allow_harvest:true_false', 'official_statistics:true_false']);
    expect(r.errors[0]?.en).toMatch(/string "True" or "False"/);
  });

  it('warns about fields of another data type, checks formats of e-mail, slug, tags, dates, years and numbers', () => {
    const r = validateDataset(
      validDataset({
        data_type: 'ข้อมูลระเบียน',
        first_year_of_data: '2560',
        maintainer_email: 'not-an-email',
        name: 'ชื่อภาษาไทย',
        tag_string: 'ok,x',
        last_updated_date: '2024-02-30',
        created_date: '2024-02-29',
        update_frequency_interval: 'ทุกเดือน',
        url: 'javascript:alert(1)',
      }),
      { version: '2.2' },
    );
    expect(r.warnings.map((w) => `${w.field}:${w.rule}`)).toEqual(['first_year_of_data:wrong_data_type']);
    expect(fields(r).sort()).toEqual([
      'last_updated_date:date',
      'maintainer_email:email',
      'name:slug',
      'tag_string:tag',
      'update_frequency_interval:number',
      'url:url',
    ]);
    expect(validateDataset(validDataset({ name: 'a'.repeat(71) }), { version: '2.2' }).errors[0]?.rule).toBe(
      'slug',
    );
    expect(validateDataset(validDataset({ tag_string: ['ประชากร', 'สถิติ'] }), { version: '2.2' }).valid).toBe(
      true,
    );
    expect(
      validateDataset(validDataset({ tag_string: undefined, tags: [{ name: 'ประชากร' }] }), {
        version: '2.2',
      }).valid,
    ).toBe(true);
  });

  it('knows what 2.2 added: ข้อมูลใช้ภายใน, data_classification and a required resource format', () => {
    const internal = validDataset({ data_category: DATA_CATEGORY.internal, data_classification: 'ลับ' });
    expect(validateDataset(internal, { version: '2.2' }).valid).toBe(true);
    expect(fields(validateDataset(internal, { version: '2.1' }))).toEqual(['data_category:choice']);
    expect(
      fields(validateDataset(validDataset({ data_classification: 'ลับสุดยอด' }), { version: '2.2' })),
    ).toEqual(['data_classification:choice']);
    const noFormat = { resources: [{ name: 'ตาราง', url: 'https://agency.example.go.th/a.csv' }] };
    expect(fields(validateDataset(validDataset(noFormat), { version: '2.2' }))).toEqual([
      'resources.0.format:required',
    ]);
    expect(validateDataset(validDataset(noFormat), { version: '2.1' }).valid).toBe(true);
    expect(validateResource({ name: 'x' }, { version: '2.2' }).errors.map((e) => e.field)).toEqual([
      'format',
    ]);
    expect(validateResource({ name: 'x', resource_private: 'yes' }, { version: '2.1' }).errors[0]?.rule).toBe(
      'true_false',
    );
  });

  it('lets the server’s scheming schema win over the built-in table', () => {
    const server = {
      dataset_fields: [
        {
          field_name: 'data_type',
          label: { th: 'ประเภท', en: 'Type' },
          required: true,
          choices: DATA_TYPES.map((value) => ({ value })),
        },
        {
          field_name: 'license_id',
          label: 'License',
          required: true,
          choices: [...LICENSES_21, 'Open Government License - Thailand'].map((value) => ({ value })),
        },
        { field_name: 'agency_code', label: { th: 'รหัสหน่วยงาน', en: 'Agency code' }, required: true },
      ],
    };
    const meta = validDataset({ license_id: 'Open Government License - Thailand' });
    expect(fields(validateDataset(meta, { version: '2.2' }))).toEqual(['license_id:choice']);
    const r = validateDataset(meta, { version: '2.2', serverSchema: server });
    expect(r.specVersion).toBe('server');
    expect(fields(r)).toEqual(['agency_code:required']);
    expect(r.errors[0]).toMatchObject({ th: 'ต้องระบุรหัสหน่วยงาน', en: 'Agency code is required' });
    // An unreadable schema does not disable validation: the built-in table applies.
    expect(
      validateDataset(meta, { version: '2.2', serverSchema: { dataset_fields: 'nope' } }).specVersion,
    ).toBe('2.2');
  });

  it('converts a scheming schema: multi-choice, True/False, presets and the _other companions', () => {
    const spec = specFromScheming({
      dataset_fields: [
        {
          field_name: 'objective',
          validators: 'scheming_multiple_choice',
          choices: [{ value: 'a' }, { value: OTHER }],
        },
        { field_name: 'objective_other' },
        { field_name: 'allow_harvest', choices: [{ value: 'False' }, { value: 'True' }] },
        { field_name: 'name', preset: 'dataset_slug' },
        { field_name: 'created_date', preset: 'date', form_data_type: ['ข้อมูลระเบียน'] },
      ],
    });
    expect(spec?.dataset.map((f) => `${f.name}:${f.kind}`)).toEqual([
      'objective:multi',
      'allow_harvest:true_false',
      'name:slug',
      'created_date:date',
    ]);
    expect(spec?.dataset[3]?.types).toEqual(['ข้อมูลระเบียน']);
    expect(
      specFromScheming({ dataset_fields: [{ field_name: 'x', choices: 'not a list' }] }),
    ).toBeUndefined();
  });

  it('exposes the rules as zod schemas whose issues carry the Thai message', () => {
    const bad = thaiGdcDatasetSchema22.safeParse(validDataset({ data_type: 'สถิติ' }));
    expect(bad.success).toBe(false);
    const issue = bad.error?.issues[0];
    expect(issue?.path).toEqual(['data_type']);
    expect((issue as { params?: { th?: string } }).params?.th).toContain('ประเภทชุดข้อมูล');
    expect(thaiGdcDatasetSchema22.safeParse(validDataset()).success).toBe(true);
    expect(thaiGdcResourceSchema22.safeParse({ name: 'x', format: 'CSV' }).success).toBe(true);
  });

  it('keeps the two built-in versions apart', () => {
    const category21 = THAI_GDC_21.dataset.find((f) => f.name === 'data_category')?.choices;
    const category22 = THAI_GDC_22.dataset.find((f) => f.name === 'data_category')?.choices;
    expect(category22?.length).toBe((category21?.length ?? 0) + 1);
    expect(THAI_GDC_22.resource.find((f) => f.name === 'format')?.required).toBe(true);
  });

  it('refuses a non-object and bad options with a coded TypeError', () => {
    expect(() => validateDataset(null, { version: '2.2' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
    expect(() => validateDataset([], { version: '2.2' })).toThrow(TypeError);
    expect(() => validateDataset({}, { version: '3' as never })).toThrow(/version/);
  });
});
