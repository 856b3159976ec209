/**
 * The exact choice values of the thai_gdc metadata standard (ckanext-thai_gdc `ckan_dataset.json`). The
 * catalog stores these strings verbatim, and the central GD Catalog rejects anything else, so they are
 * constants here rather than something a caller retypes. "อื่นๆ" ("other") opens a `<field>_other` text field.
 */

/** The choice that opens `<field>_other`. */
export const OTHER = 'อื่นๆ';

/** The two strings thai_gdc uses for yes/no fields (never JSON booleans). */
export const TRUE_FALSE = ['True', 'False'] as const;

/** ประเภทชุดข้อมูล (`data_type`). */
export const DATA_TYPES = [
  'ข้อมูลระเบียน',
  'ข้อมูลสถิติ',
  'ข้อมูลภูมิสารสนเทศเชิงพื้นที่',
  'ข้อมูลหลากหลายประเภท',
  'ข้อมูลประเภทอื่นๆ',
] as const;

/** Named members of {@link DATA_TYPES}, for code that branches on the type. */
export const DATA_TYPE = {
  record: 'ข้อมูลระเบียน',
  statistical: 'ข้อมูลสถิติ',
  geospatial: 'ข้อมูลภูมิสารสนเทศเชิงพื้นที่',
  multiple: 'ข้อมูลหลากหลายประเภท',
  other: 'ข้อมูลประเภทอื่นๆ',
} as const satisfies Record<string, (typeof DATA_TYPES)[number]>;

/** วัตถุประสงค์ (`objective`, multi-choice). */
export const OBJECTIVES = [
  'ยุทธศาสตร์ชาติ',
  'แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ',
  'แผนความมั่นคงแห่งชาติ',
  'แผนแม่บทภายใต้ยุทธศาสตร์ชาติ',
  'แผนปฏิรูปประเทศ',
  'แผนระดับที่ 3 (มติครม. 4 ธ.ค. 2560)',
  'นโยบายรัฐบาล/ข้อสั่งการนายกรัฐมนตรี',
  'มติคณะรัฐมนตรี',
  'เพื่อการให้บริการประชาชน',
  'กฎหมายที่เกี่ยวข้อง',
  'พันธกิจหน่วยงาน',
  'ดัชนี/ตัวชี้วัดระดับนานาชาติ',
  'ไม่ทราบ',
  OTHER,
] as const;

/** หน่วยความถี่ของการปรับปรุงข้อมูล (`update_frequency_unit`). */
export const UPDATE_FREQUENCY_UNITS = [
  'ไม่ทราบ',
  'ปี',
  'ครึ่งปี',
  'ไตรมาส',
  'เดือน',
  'สัปดาห์',
  'วัน',
  'วันทำการ',
  'ชั่วโมง',
  'นาที',
  'ตามเวลาจริง',
  'ไม่มีการปรับปรุงหลังจากการจัดเก็บข้อมูล',
  OTHER,
] as const;

/** ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่ (`geo_coverage`). */
export const GEO_COVERAGES = [
  'ไม่มี',
  'โลก',
  'ทวีป/กลุ่มประเทศในทวีป',
  'กลุ่มประเทศทางเศรษฐกิจ',
  'ประเทศ',
  'ภาค',
  'จังหวัด',
  'อำเภอ',
  'ตำบล',
  'หมู่บ้าน',
  'เทศบาล/อบต.',
  'พิกัด',
  'ไม่ทราบ',
  OTHER,
] as const;

/** รูปแบบการเก็บข้อมูล (`data_format`, multi-choice). */
export const DATA_FORMATS = [
  'Database',
  'CSV',
  'XML',
  'Image',
  'Video',
  'Audio',
  'Text',
  'JSON',
  'HTML',
  'DOC/DOCX',
  'XLS',
  'PDF',
  'RDF',
  'NoSQL',
  'Arc/Info Coverage',
  'Shapefile',
  'GeoTiff',
  'GML',
  'ไม่ทราบ',
  OTHER,
] as const;

/** หมวดหมู่ข้อมูลตามธรรมาภิบาลข้อมูลภาครัฐ (`data_category`) in thai_gdc 2.1. */
export const DATA_CATEGORIES_21 = [
  'ข้อมูลสาธารณะ',
  'ข้อมูลส่วนบุคคล',
  'ข้อมูลความมั่นคง',
  'ข้อมูลความลับทางราชการ',
] as const;

/** `data_category` in thai_gdc 2.2, which adds ข้อมูลใช้ภายใน (internal use). */
export const DATA_CATEGORIES_22 = [...DATA_CATEGORIES_21, 'ข้อมูลใช้ภายใน'] as const;

/** Named members of the data categories (the privacy guard branches on them). */
export const DATA_CATEGORY = {
  public: 'ข้อมูลสาธารณะ',
  personal: 'ข้อมูลส่วนบุคคล',
  security: 'ข้อมูลความมั่นคง',
  secret: 'ข้อมูลความลับทางราชการ',
  internal: 'ข้อมูลใช้ภายใน',
} as const;

/** ชั้นความลับ (`data_classification`), thai_gdc 2.2 only. */
export const DATA_CLASSIFICATIONS = ['เปิดเผย', 'ชั้นเผยแพร่ภายในองค์กร', 'ลับ', 'ลับมาก', 'ลับที่สุด'] as const;

/**
 * สัญญาอนุญาต (`license_id`) in thai_gdc 2.1: the long titles, exactly as the schema stores them.
 * The public 2.2 builds do not publish their list; the catalog's own schema (scheming_dataset_schema_show)
 * decides whenever the catalog offers it.
 */
export const LICENSES_21 = [
  'License not specified',
  'Creative Commons Attributions',
  'Creative Commons Attribution Share-Alike',
  'Creative Commons Non-Commercial (Any)',
  'Open Data Common',
  'GNU Free Documentation License',
  OTHER,
] as const;

/** `license_id` in thai_gdc 2.2 as far as public sources show (see {@link LICENSES_21}). */
export const LICENSES_22 = LICENSES_21;

/** ภาษาที่ใช้ (`data_language`, multi-choice). */
export const DATA_LANGUAGES = [
  'ไทย',
  'อังกฤษ',
  'จีน',
  'มลายู',
  'พม่า',
  'ลาว',
  'เขมร',
  'ญี่ปุ่น',
  'เกาหลี',
  'ฝรั่งเศส',
  'เยอรมัน',
  'อารบิก',
  'ไม่ทราบ',
  OTHER,
] as const;

/** ผู้สนับสนุนหรือผู้ร่วมดำเนินการ (`data_support`, record-type datasets). */
export const DATA_SUPPORTS = [
  'ไม่มี',
  'หน่วยงานของรัฐ',
  'หน่วยงานเอกชน',
  'หน่วยงาน/องค์กรระหว่างประเทศ',
  'มูลนิธิ/สมาคม',
  'สถาบันการศึกษา',
  OTHER,
] as const;

/** หน่วยที่ย่อยที่สุดของการจัดเก็บข้อมูล (`data_collect`, `resource_data_collect`). */
export const DATA_COLLECTS = [
  'ไม่มี',
  'บุคคล',
  'ครัวเรือน/ครอบครัว',
  'บ้าน/ที่อยู่อาศัย',
  'บริษัท/ห้างร้าน/สถานประกอบการ',
  'อาคาร/สิ่งปลูกสร้าง',
  'พื้นที่การเกษตร ประมง ป่าไม้',
  'สัตว์และพันธุ์พืช',
  'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่',
  'แหล่งน้ำ เช่น แม่น้ำ อ่างเก็บน้ำ',
  'เส้นทางการเดินทาง เช่น ถนน ทางรถไฟ',
  'ไม่ทราบ',
  OTHER,
] as const;

/** การจัดจำแนก (`disaggregate`, `resource_disaggregate`, statistical datasets, multi-choice). */
export const DISAGGREGATES = [
  'ไม่มี',
  'เพศ',
  'อายุ/กลุ่มอายุ',
  'สถานภาพสมรส',
  'ศาสนา',
  'ระดับการศึกษา',
  'อาชีพ',
  'สถานภาพการทำงาน',
  'อุตสาหกรรม/ประเภทกิจการ',
  'รายได้',
  'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่',
  'ผลิตภัณฑ์',
  'ไม่ทราบ',
  OTHER,
] as const;

/** หน่วยตัวคูณ (`unit_of_multiplier`, statistical datasets). */
export const UNIT_MULTIPLIERS = [
  'หน่วย',
  'สิบ',
  'ร้อย',
  'พัน',
  'หมื่น',
  'แสน',
  'ล้าน',
  'สิบล้าน',
  'ร้อยล้าน',
  'พันล้าน',
  'หมื่นล้าน',
  'แสนล้าน',
  'ล้านล้าน',
  'ไม่ทราบ',
  OTHER,
] as const;

/** ชุดข้อมูลภูมิศาสตร์ (`geographic_data_set`, geospatial datasets). */
export const GEOGRAPHIC_DATA_SETS = [
  'ชั้นข้อมูลแปลงที่ดิน',
  'ชั้นข้อมูลขอบเขตการปกครอง',
  'ชั้นข้อมูลเส้นทางคมนาคม',
  'ชั้นข้อมูลชุมนุม/อาคาร',
  'ชั้นข้อมูลป่าไม้',
  'ชั้นข้อมูลการใช้ประโยชน์ที่ดิน',
  'ชั้นข้อมูลแหล่งน้ำ',
  'ชั้นข้อมูลอุทกศาสตร์',
  'ชั้นข้อมูลหมุดหลักฐานแผนที่',
  'ชั้นข้อมูลความสูงภูมิประเทศเชิงตัวเลข',
  'ชั้นข้อมูลภาพแผนที่ภูมิประเทศ',
  'ชั้นข้อมูลแผนที่ภาพถ่ายทางอากาศ',
  'ชั้นข้อมูลภาพวาดดาวเทียมดัดแก้',
] as const;

/** มาตราส่วน (`equivalent_scale`, geospatial datasets). */
export const EQUIVALENT_SCALES = ['1:4,000', '1:10,000', '1:25,000', '1:50,000', '1:250,000', OTHER] as const;

/** Governance states the GD Catalog harvester reports (`governance_state`). */
export const GOVERNANCE_STATES = [
  'VALIDATE',
  'VALIDATE_MODIFIED',
  'APPROVAL',
  'WAIT_REVOKE',
  'REVOKE',
  'WAIT',
  'DELETED',
  'REJECT',
] as const;
