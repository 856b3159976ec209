/**
 * The e-CMS network's directory: ministries, organisations (10-digit department codes whose first two
 * characters are the ministry code), and the code lists a node serves. Synthetic but shaped like the
 * real lists (Thai names, e-GIF code values).
 */
export interface EcmsMinistry {
  ministryId: string;
  nameTh: string;
}

/** An organisation with an e-CMS node: 10-digit ID, names and book prefix. */
export interface EcmsOrganizationSpec {
  organizationId: string;
  nameTh: string;
  nameEn: string;
  /** อักษรย่อ used in book numbers ("ที่ สพร 0105/…"). */
  bookPrefix: string;
}

/** The ministries of the sandbox directory. */
export const ECMS_MINISTRIES: readonly EcmsMinistry[] = [
  { ministryId: '00', nameTh: 'สำนักนายกรัฐมนตรี' },
  { ministryId: '03', nameTh: 'กระทรวงการคลัง' },
  { ministryId: '15', nameTh: 'กระทรวงมหาดไทย' },
  { ministryId: '16', nameTh: 'กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม' },
  { ministryId: '20', nameTh: 'กระทรวงศึกษาธิการ' },
];

/** The organisations that can have a sandbox e-CMS node. */
export const ECMS_ORGANIZATIONS: readonly EcmsOrganizationSpec[] = [
  {
    organizationId: '0031500001',
    nameTh: 'สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)',
    nameEn: 'Digital Government Development Agency',
    bookPrefix: 'สพร',
  },
  {
    organizationId: '1500300001',
    nameTh: 'กรมการปกครอง',
    nameEn: 'Department of Provincial Administration',
    bookPrefix: 'มท 0309',
  },
  {
    organizationId: '0300500001',
    nameTh: 'กรมบัญชีกลาง',
    nameEn: "The Comptroller General's Department",
    bookPrefix: 'กค 0402',
  },
  {
    organizationId: '1600100001',
    nameTh: 'สำนักงานปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม',
    nameEn: 'Office of the Permanent Secretary, Ministry of Digital Economy and Society',
    bookPrefix: 'ดศ 0201',
  },
  {
    organizationId: '2000200001',
    nameTh: 'สำนักงานปลัดกระทรวงศึกษาธิการ',
    nameEn: 'Office of the Permanent Secretary, Ministry of Education',
    bookPrefix: 'ศธ 0210',
  },
];

/** One entry of an e-CMS node's code list. */
export interface EcmsCode {
  value: string;
  description: string;
}

/** The speed codes the sandbox nodes list (GetSpeedCodes). */
export const ECMS_SPEED_CODES: readonly EcmsCode[] = [
  { value: '1', description: 'ปกติ' },
  { value: '2', description: 'ด่วน' },
  { value: '3', description: 'ด่วนมาก' },
  { value: '4', description: 'ด่วนที่สุด' },
];

/** The secrecy codes the sandbox nodes list (GetSecretCodes). */
export const ECMS_SECRET_CODES: readonly EcmsCode[] = [
  { value: '1', description: 'ปกติ' },
  { value: '2', description: 'ลับ' },
  { value: '3', description: 'ลับมาก' },
  { value: '4', description: 'ลับที่สุด' },
  { value: '5', description: 'ลับเฉพาะบุคคล' },
];

/** The MIME types the sandbox nodes list (GetMimeCodes). */
export const ECMS_MIME_CODES: readonly { contentType: string; fileExtension: string }[] = [
  { contentType: 'application/pdf', fileExtension: 'pdf' },
  { contentType: 'application/msword', fileExtension: 'doc' },
  {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    fileExtension: 'docx',
  },
  { contentType: 'application/vnd.ms-excel', fileExtension: 'xls' },
  { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileExtension: 'xlsx' },
  { contentType: 'application/vnd.ms-powerpoint', fileExtension: 'ppt' },
  {
    contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    fileExtension: 'pptx',
  },
  { contentType: 'application/rtf', fileExtension: 'rtf' },
  { contentType: 'text/plain', fileExtension: 'txt' },
  { contentType: 'application/zip', fileExtension: 'zip' },
  { contentType: 'image/jpeg', fileExtension: 'jpg' },
  { contentType: 'image/png', fileExtension: 'png' },
  { contentType: 'image/bmp', fileExtension: 'bmp' },
  { contentType: 'image/tiff', fileExtension: 'tif' },
];
