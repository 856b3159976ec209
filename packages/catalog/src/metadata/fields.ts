import {
  DATA_CATEGORIES_21,
  DATA_CATEGORIES_22,
  DATA_CLASSIFICATIONS,
  DATA_COLLECTS,
  DATA_FORMATS,
  DATA_LANGUAGES,
  DATA_SUPPORTS,
  DATA_TYPE,
  DATA_TYPES,
  DISAGGREGATES,
  EQUIVALENT_SCALES,
  GEO_COVERAGES,
  GEOGRAPHIC_DATA_SETS,
  LICENSES_21,
  LICENSES_22,
  OBJECTIVES,
  TRUE_FALSE,
  UNIT_MULTIPLIERS,
  UPDATE_FREQUENCY_UNITS,
} from './choices.js';

/** How a field's value is checked. */
export type FieldKind =
  | 'text'
  | 'markdown'
  | 'email'
  | 'url'
  | 'slug'
  | 'org'
  | 'tags'
  | 'choice'
  | 'multi'
  | 'true_false'
  | 'date'
  | 'year'
  | 'number';

/** One field of the metadata standard: its name, Thai and English labels, kind, and where it applies. */
export interface FieldSpec {
  name: string;
  th: string;
  en: string;
  kind: FieldKind;
  required?: boolean;
  choices?: readonly string[];
  /** `data_type` values this field belongs to (all when absent). */
  types?: readonly string[];
  /** A translated field (ckanext-fluent): its value may be an object of language → text, each checked alone. */
  translated?: boolean;
}

/** A whole schema: dataset and resource fields, and which version it came from. */
export interface MetadataSpec {
  /** '2.1', '2.2', or 'server' when converted from the catalog's own scheming schema. */
  version: '2.1' | '2.2' | 'server';
  dataset: readonly FieldSpec[];
  resource: readonly FieldSpec[];
}

type DataType = (typeof DATA_TYPES)[number];
const RECORDISH: readonly DataType[] = [DATA_TYPE.record, DATA_TYPE.multiple, DATA_TYPE.other];
const STAT: readonly DataType[] = [DATA_TYPE.statistical];
const GEO: readonly DataType[] = [DATA_TYPE.geospatial];
const STAT_GEO: readonly DataType[] = [DATA_TYPE.statistical, DATA_TYPE.geospatial];

const f = (
  name: string,
  th: string,
  en: string,
  kind: FieldKind,
  extra: Omit<FieldSpec, 'name' | 'th' | 'en' | 'kind'> = {},
): FieldSpec => ({ name, th, en, kind, ...extra });

/** The dataset fields every version shares, in the order of the standard's form. */
function datasetFields(categories: readonly string[], licenses: readonly string[]): FieldSpec[] {
  return [
    f('data_type', 'ประเภทชุดข้อมูล', 'Data type', 'choice', { required: true, choices: DATA_TYPES }),
    f('title', 'ชื่อชุดข้อมูล', 'Dataset name', 'text', { required: true }),
    f('name', 'URL ชุดข้อมูล', 'URL name (slug)', 'slug', { required: true }),
    f('owner_org', 'หน่วยงานเจ้าของข้อมูล', 'Organization', 'org', { required: true }),
    f('allow_harvest', 'ยินยอมให้นำชื่อชุดข้อมูลไปใช้ที่ GD-Catalog', 'Allow harvest to GD Catalog', 'true_false'),
    f('reference_url_catalog', 'อ้างอิง URL Catalog', 'Reference catalog URL', 'url'),
    f('maintainer', 'ชื่อผู้ติดต่อ', 'Contact person', 'text', { required: true }),
    f('maintainer_email', 'อีเมลผู้ติดต่อ', 'Contact e-mail', 'email', { required: true }),
    f('tag_string', 'คำสำคัญ', 'Tags', 'tags', { required: true }),
    f('notes', 'รายละเอียด', 'Description', 'markdown', { required: true }),
    f('objective', 'วัตถุประสงค์', 'Objective', 'multi', { required: true, choices: OBJECTIVES }),
    f('update_frequency_unit', 'หน่วยความถี่ของการปรับปรุงข้อมูล', 'Update frequency unit', 'choice', {
      required: true,
      choices: UPDATE_FREQUENCY_UNITS,
    }),
    f('update_frequency_interval', 'ค่าความถี่ของการปรับปรุงข้อมูล', 'Update frequency interval', 'number'),
    f('geo_coverage', 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่', 'Geographic coverage', 'choice', {
      required: true,
      choices: GEO_COVERAGES,
    }),
    f('data_source', 'แหล่งที่มา', 'Data source', 'text', { required: true }),
    f('data_format', 'รูปแบบการเก็บข้อมูล', 'Data format', 'multi', { required: true, choices: DATA_FORMATS }),
    f('data_category', 'หมวดหมู่ข้อมูลตามธรรมาภิบาลข้อมูลภาครัฐ', 'Data category', 'choice', {
      required: true,
      choices: categories,
    }),
    f('license_id', 'สัญญาอนุญาต', 'License', 'choice', { required: true, choices: licenses }),
    f('accessible_condition', 'เงื่อนไขในการเข้าถึงข้อมูล', 'Access conditions', 'text'),
    f('data_support', 'ผู้สนับสนุนหรือผู้ร่วมดำเนินการ', 'Supporters', 'choice', {
      choices: DATA_SUPPORTS,
      types: RECORDISH,
    }),
    f('data_collect', 'หน่วยที่ย่อยที่สุดของการจัดเก็บข้อมูล', 'Smallest unit collected', 'choice', {
      choices: DATA_COLLECTS,
      types: RECORDISH,
    }),
    f('url', 'URL', 'URL', 'url'),
    f('data_language', 'ภาษาที่ใช้', 'Language', 'multi', { choices: DATA_LANGUAGES }),
    f('created_date', 'วันที่เริ่มต้นสร้าง', 'Created date', 'date', { types: RECORDISH }),
    f('last_updated_date', 'วันที่ปรับปรุงข้อมูลล่าสุด', 'Last updated date', 'date'),
    f('data_release_calendar', 'วันที่กำหนดเผยแพร่ข้อมูล', 'Data release calendar', 'date', { types: STAT_GEO }),
    f('first_year_of_data', 'ปีข้อมูลที่เริ่มต้นจัดทำ', 'First year of data', 'year', { types: STAT }),
    f('last_year_of_data', 'ปีข้อมูลล่าสุดที่เผยแพร่', 'Last year of data', 'year', { types: STAT }),
    f('disaggregate', 'การจัดจำแนก', 'Disaggregation', 'multi', { choices: DISAGGREGATES, types: STAT }),
    f('unit_of_measure', 'หน่วยวัด', 'Unit of measure', 'text', { types: STAT }),
    f('unit_of_multiplier', 'หน่วยตัวคูณ', 'Unit multiplier', 'choice', {
      choices: UNIT_MULTIPLIERS,
      types: STAT,
    }),
    f('calculation_method', 'วิธีการคำนวณ', 'Calculation method', 'text', { types: STAT }),
    f('standard', 'มาตรฐานการจัดทำข้อมูล', 'Standard', 'text', { types: STAT }),
    f('geographic_data_set', 'ชุดข้อมูลภูมิศาสตร์', 'Geographic dataset', 'choice', {
      choices: GEOGRAPHIC_DATA_SETS,
      types: GEO,
    }),
    f('equivalent_scale', 'มาตราส่วน', 'Equivalent scale', 'choice', {
      choices: EQUIVALENT_SCALES,
      types: GEO,
    }),
    f('west_bound_longitude', 'ค่าพิกัดกรอบพื้นที่ด้านทิศตะวันตก', 'West bound longitude', 'number', { types: GEO }),
    f('east_bound_longitude', 'ค่าพิกัดกรอบพื้นที่ด้านทิศตะวันออก', 'East bound longitude', 'number', { types: GEO }),
    f('north_bound_longitude', 'ค่าพิกัดกรอบพื้นที่ด้านทิศเหนือ', 'North bound latitude', 'number', { types: GEO }),
    f('south_bound_longitude', 'ค่าพิกัดกรอบพื้นที่ด้านทิศใต้', 'South bound latitude', 'number', { types: GEO }),
    f('positional_accuracy', 'ความถูกต้องของตำแหน่ง', 'Positional accuracy', 'text', { types: GEO }),
    f('reference_period', 'เวลาอ้างอิง', 'Reference period', 'text', { types: GEO }),
    f('data_release_date', 'วันที่เผยแพร่ข้อมูล', 'Data release date', 'date', { types: GEO }),
    f('high_value_dataset', 'ชุดข้อมูลที่มีคุณค่าสูง', 'High-value dataset', 'true_false', { types: RECORDISH }),
    f('reference_data', 'ข้อมูลอ้างอิง', 'Reference data', 'true_false', { types: RECORDISH }),
    f('official_statistics', 'สถิติทางการ', 'Official statistics', 'true_false', { types: STAT }),
  ];
}

function resourceFields(formatRequired: boolean): FieldSpec[] {
  return [
    f('url', 'URL', 'URL', 'url'),
    f('name', 'ชื่อทรัพยากรข้อมูล', 'Resource name', 'text', { required: true }),
    f('description', 'รายละเอียด', 'Description', 'markdown'),
    f('format', 'รูปแบบไฟล์', 'Format', 'text', { required: formatRequired }),
    f('resource_accessible_condition', 'เงื่อนไขในการเข้าถึงข้อมูล', 'Access conditions', 'text'),
    f('resource_data_collect', 'หน่วยที่ย่อยที่สุดของการจัดเก็บข้อมูล', 'Smallest unit collected', 'choice', {
      choices: DATA_COLLECTS,
      types: RECORDISH,
    }),
    f('resource_first_year_of_data', 'ปีข้อมูลที่เริ่มต้นจัดทำ', 'First year of data', 'year', { types: STAT }),
    f('resource_last_year_of_data', 'ปีข้อมูลล่าสุดที่เผยแพร่', 'Last year of data', 'year', { types: STAT }),
    f('resource_disaggregate', 'การจัดจำแนก', 'Disaggregation', 'multi', {
      choices: DISAGGREGATES,
      types: STAT,
    }),
    f('resource_unit_of_measure', 'หน่วยวัด', 'Unit of measure', 'text', { types: STAT }),
    f('resource_unit_of_multiplier', 'หน่วยตัวคูณ', 'Unit multiplier', 'choice', {
      choices: UNIT_MULTIPLIERS,
      types: STAT,
    }),
    f('resource_geographic_data_set', 'ชุดข้อมูลภูมิศาสตร์', 'Geographic dataset', 'choice', {
      choices: GEOGRAPHIC_DATA_SETS,
      types: GEO,
    }),
    f('resource_equivalent_scale', 'มาตราส่วน', 'Equivalent scale', 'choice', {
      choices: EQUIVALENT_SCALES,
      types: GEO,
    }),
    f('resource_positional_accuracy', 'ความถูกต้องของตำแหน่ง', 'Positional accuracy', 'text', { types: GEO }),
    f('resource_created_date', 'วันที่เริ่มต้นสร้าง', 'Created date', 'date'),
    f('resource_last_updated_date', 'วันที่ปรับปรุงข้อมูลล่าสุด', 'Last updated date', 'date'),
    f('resource_data_release_calendar', 'วันที่กำหนดเผยแพร่ข้อมูล', 'Data release calendar', 'date', {
      types: STAT,
    }),
    f('resource_official_statistics', 'สถิติทางการ', 'Official statistics', 'true_false', { types: STAT }),
    f('resource_data_release_date', 'วันที่เผยแพร่ข้อมูล', 'Data release date', 'date', { types: GEO }),
    f('resource_private', 'ซ่อนทรัพยากรจากผู้ที่ไม่มีสิทธิ์แก้ไข', 'Private resource', 'true_false'),
  ];
}

/** thai_gdc 2.1 (CKAN 2.9.5+). */
export const THAI_GDC_21: MetadataSpec = {
  version: '2.1',
  dataset: datasetFields(DATA_CATEGORIES_21, LICENSES_21),
  resource: resourceFields(false),
};

/** thai_gdc 2.2 (CKAN 2.10): adds ข้อมูลใช้ภายใน, `data_classification`, and a required resource format. */
export const THAI_GDC_22: MetadataSpec = {
  version: '2.2',
  dataset: [
    ...datasetFields(DATA_CATEGORIES_22, LICENSES_22),
    f('data_classification', 'ชั้นความลับของข้อมูล', 'Data classification', 'choice', {
      choices: DATA_CLASSIFICATIONS,
    }),
  ],
  resource: resourceFields(true),
};

/** The built-in spec of a version. */
export function builtInSpec(version: '2.1' | '2.2'): MetadataSpec {
  return version === '2.1' ? THAI_GDC_21 : THAI_GDC_22;
}

/** Boolean-looking fields of the standard: the catalog wants the strings "True"/"False". */
export const TRUE_FALSE_VALUES: readonly string[] = TRUE_FALSE;
