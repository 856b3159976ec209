import type { CatalogStore, Dict } from './store.js';

/**
 * A few realistic datasets of an agency catalog, in Thai, with complete thai_gdc metadata: statistics with a
 * DataStore table, a geospatial dataset, a budget, a register with an "อื่นๆ" choice, and a private register of
 * personal data that must never be harvested. Figures are rounded and illustrative.
 */

export const FIXTURE_ORGANIZATIONS = [
  { name: 'strategy-division', title: 'กองยุทธศาสตร์และแผนงาน', description: 'งานนโยบาย แผน และงบประมาณ' },
  {
    name: 'ict-center',
    title: 'ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร',
    description: 'บริหารจัดการข้อมูลและระบบสารสนเทศ',
  },
  { name: 'welfare-division', title: 'กองสวัสดิการสังคม', description: 'สวัสดิการและการคุ้มครองทางสังคม' },
] as const;

const common = {
  maintainer: 'กลุ่มงานสถิติและข้อมูล',
  maintainer_email: 'data@agency.example.go.th',
  objective: ['พันธกิจหน่วยงาน'],
  data_language: ['ไทย'],
  license_id: 'Open Data Common',
  allow_harvest: 'True',
};

/** The fixture datasets and their organizations (complete thai_gdc metadata). */
export const FIXTURE_DATASETS: Array<{ org: string; dataset: Dict }> = [
  {
    org: 'strategy-division',
    dataset: {
      ...common,
      name: 'population-by-province-2566',
      title: 'จำนวนประชากรจากการทะเบียน จำแนกรายจังหวัด พ.ศ. 2566',
      notes: 'จำนวนประชากรตามหลักฐานการทะเบียนราษฎร ณ วันที่ 31 ธันวาคม 2566 จำแนกตามเพศ รายจังหวัด',
      data_type: 'ข้อมูลสถิติ',
      tag_string: 'ประชากร,ทะเบียนราษฎร,สถิติ',
      update_frequency_unit: 'ปี',
      update_frequency_interval: '1',
      geo_coverage: 'จังหวัด',
      data_source: 'สำนักบริหารการทะเบียน กรมการปกครอง',
      data_format: ['CSV'],
      data_category: 'ข้อมูลสาธารณะ',
      first_year_of_data: '2560',
      last_year_of_data: '2566',
      disaggregate: ['เพศ', 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่'],
      unit_of_measure: 'คน',
      unit_of_multiplier: 'หน่วย',
      official_statistics: 'True',
    },
  },
  {
    org: 'ict-center',
    dataset: {
      ...common,
      name: 'health-promoting-hospitals-location',
      title: 'ที่ตั้งโรงพยาบาลส่งเสริมสุขภาพตำบล (รพ.สต.)',
      notes: 'พิกัดที่ตั้งโรงพยาบาลส่งเสริมสุขภาพตำบลทั่วประเทศ พร้อมรหัสสถานบริการ',
      data_type: 'ข้อมูลภูมิสารสนเทศเชิงพื้นที่',
      tag_string: 'สาธารณสุข,รพ.สต.,พิกัด',
      update_frequency_unit: 'ปี',
      geo_coverage: 'ตำบล',
      data_source: 'ระบบข้อมูลสถานบริการสุขภาพ',
      data_format: ['CSV', 'Shapefile'],
      data_category: 'ข้อมูลสาธารณะ',
      geographic_data_set: 'ชั้นข้อมูลชุมนุม/อาคาร',
      equivalent_scale: '1:50,000',
      west_bound_longitude: '97.34',
      east_bound_longitude: '105.64',
      north_bound_longitude: '20.46',
      south_bound_longitude: '5.61',
    },
  },
  {
    org: 'strategy-division',
    dataset: {
      ...common,
      name: 'annual-budget-2567',
      title: 'งบประมาณรายจ่ายประจำปีงบประมาณ พ.ศ. 2567 จำแนกตามแผนงาน',
      notes: 'วงเงินงบประมาณรายจ่ายที่ได้รับจัดสรร จำแนกตามแผนงานและผลผลิต',
      data_type: 'ข้อมูลสถิติ',
      tag_string: 'งบประมาณ,แผนงาน',
      update_frequency_unit: 'ปี',
      geo_coverage: 'ประเทศ',
      data_source: 'ระบบบริหารการเงินการคลังภาครัฐ',
      data_format: ['CSV', 'XLS'],
      data_category: 'ข้อมูลสาธารณะ',
      unit_of_measure: 'บาท',
      unit_of_multiplier: 'ล้าน',
    },
  },
  {
    org: 'ict-center',
    dataset: {
      ...common,
      name: 'schools-directory',
      title: 'ทำเนียบสถานศึกษาในสังกัด',
      notes: 'รายชื่อ ที่อยู่ และช่องทางติดต่อสถานศึกษาในสังกัด',
      data_type: 'ข้อมูลระเบียน',
      tag_string: 'การศึกษา,สถานศึกษา,ทำเนียบ',
      update_frequency_unit: 'ไตรมาส',
      geo_coverage: 'อำเภอ',
      data_source: 'ระบบสารสนเทศเพื่อการบริหารการศึกษา',
      data_format: ['CSV', 'JSON'],
      data_category: 'ข้อมูลสาธารณะ',
      data_support: 'ไม่มี',
      data_collect: 'อื่นๆ',
      data_collect_other: 'สถานศึกษา',
      high_value_dataset: 'True',
      reference_data: 'False',
    },
  },
  {
    org: 'welfare-division',
    dataset: {
      ...common,
      name: 'elderly-allowance-register',
      title: 'ทะเบียนผู้มีสิทธิรับเบี้ยยังชีพผู้สูงอายุ',
      notes: 'ทะเบียนรายบุคคลของผู้มีสิทธิ ใช้ภายในเพื่อการจ่ายเบี้ยยังชีพ',
      data_type: 'ข้อมูลระเบียน',
      tag_string: 'ผู้สูงอายุ,เบี้ยยังชีพ',
      update_frequency_unit: 'เดือน',
      geo_coverage: 'ตำบล',
      data_source: 'ระบบสารสนเทศเบี้ยยังชีพ',
      data_format: ['Database'],
      data_category: 'ข้อมูลส่วนบุคคล',
      accessible_condition: 'เฉพาะเจ้าหน้าที่ที่ได้รับอนุญาต',
      private: true,
      allow_harvest: 'False',
    },
  },
];

/** Registered population (rounded), the DataStore table of population-by-province-2566. */
export const FIXTURE_POPULATION = [
  ['กรุงเทพมหานคร', 5471588, 2578916, 2892672],
  ['นครราชสีมา', 2628818, 1296302, 1332516],
  ['อุบลราชธานี', 1880116, 937416, 942700],
  ['เชียงใหม่', 1797075, 873316, 923759],
  ['ขอนแก่น', 1784641, 879051, 905590],
  ['บุรีรัมย์', 1579805, 785062, 794743],
  ['อุดรธานี', 1566400, 781356, 785044],
  ['นครศรีธรรมราช', 1549344, 762206, 787138],
  ['ศรีสะเกษ', 1468936, 731432, 737504],
  ['สงขลา', 1436851, 700254, 736597],
].map(([province, population, male, female]) => ({ province, population, male, female }));

/** Loads the fixtures through the store (timestamps, ids) without the Action API's checks. */
export function loadFixtures(store: CatalogStore, orgIds: Map<string, string>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const { org, dataset } of FIXTURE_DATASETS) {
    const now = store.now();
    const id = store.newId();
    const tags = String(dataset.tag_string)
      .split(',')
      .map((name) => ({ name, display_name: name, state: 'active', vocabulary_id: null }));
    const { tag_string: _t, ...fields } = dataset;
    store.savePackage({
      ...fields,
      id,
      type: 'dataset',
      state: 'active',
      name: String(dataset.name),
      owner_org: orgIds.get(org) as string,
      private: dataset.private === true,
      metadata_created: now,
      metadata_modified: now,
      tags,
      resources: [],
    });
    ids.set(String(dataset.name), id);
  }
  return ids;
}
