import { X509Certificate } from 'node:crypto';
import {
  type CscAuthDataRequest,
  cscSigner,
  extendPdf,
  type PadesLevel,
  pkcs11Signer,
  pkcs12Signer,
  type Signer,
  type SignPdfOptions,
  signPdf,
} from '@thgov/esign';
import { parseCommandArgs } from '../args.js';
import { certificatesOf } from '../certificate-file.js';
import { type CliIo, EXIT, terminalSafeIo, UsageError } from '../io.js';
import { type ReadInputOptions, readFailure, readInputFile } from '../read-input-file.js';
import { writeOutputFile } from '../write-file.js';
import { readLine, readSecret } from './secrets.js';
import { PDF_EXTEND_USAGE, PDF_SIGN_USAGE } from './usage.js';

export { PDF_EXTEND_USAGE, PDF_SIGN_USAGE };

const COMMON = {
  tsa: { type: 'string' },
  trust: { type: 'string', multiple: true },
  revocation: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SIGN_OPTIONS = {
  ...COMMON,
  pkcs12: { type: 'string' },
  'passphrase-env': { type: 'string' },
  'passphrase-file': { type: 'string' },
  csc: { type: 'string' },
  credential: { type: 'string' },
  'csc-token-env': { type: 'string' },
  'pin-env': { type: 'string' },
  'pin-file': { type: 'string' },
  pkcs11: { type: 'string' },
  'token-label': { type: 'string' },
  slot: { type: 'string' },
  'key-label': { type: 'string' },
  'key-id': { type: 'string' },
  chain: { type: 'string' },
  level: { type: 'string' },
  'skip-chain-check': { type: 'boolean' },
  reason: { type: 'string' },
  location: { type: 'string' },
  'contact-info': { type: 'string' },
  'field-name': { type: 'string' },
  certify: { type: 'string' },
  visible: { type: 'string' },
  page: { type: 'string' },
  name: { type: 'string' },
  position: { type: 'string' },
} as const;

const EXTEND_OPTIONS = { ...COMMON, level: { type: 'string' } } as const;

/**
 * A PKCS#12 file may come through a pipe (`--pkcs12 <(gpg -d key.p12.gpg)`), up to 1 MiB; the PDF and the
 * certificate files must be regular files, of at most the 50 MiB the verifier reads.
 */
const PKCS12_READ: ReadInputOptions = {
  maxBytes: 1024 * 1024,
  streams: true,
  limitName: 'the limit for a PKCS#12 file',
};

async function readInput(file: string, what: string, options: ReadInputOptions = {}): Promise<Uint8Array> {
  try {
    return await readInputFile(file, options);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}${readFailure(err)}`);
  }
}

/** `--trust` files, each checked to be certificates before anything is signed. */
async function readTrust(files: string[], flag = '--trust'): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const f of files) out.push(...certificatesOf(await readInput(f, `${flag} file`), flag, f));
  return out;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not ${value}`);
  return value as T;
}

function positiveInt(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max)
    throw new UsageError(`${flag} must be a number from 1 to ${max}`);
  return n;
}

function tsaUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new UsageError('--tsa must be an http(s) URL');
  return value;
}

function inOut(positionals: string[]): [string, string] {
  if (positionals.length !== 2)
    throw new UsageError(`expected IN and OUT, got ${positionals.length} file name(s)`);
  return positionals as [string, string];
}

type SignValues = ReturnType<typeof parseCommandArgs<typeof SIGN_OPTIONS, true>>['values'];

/** The CSC signer: service token and PIN from the environment or files, the OTP typed on stdin. */
async function remoteSigner(values: SignValues, io: CliIo): Promise<Signer> {
  const url = values.csc as string;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError('--csc must be the http(s) URL of a CSC v2 service');
  if (!values.credential) throw new UsageError('--csc needs --credential ID');
  const serviceToken = await readSecret('CSC service token', {
    env: values['csc-token-env'],
    defaultEnv: 'THGOV_CSC_TOKEN',
  });
  const pinFrom = { file: values['pin-file'], env: values['pin-env'], defaultEnv: 'THGOV_CSC_PIN' };
  return cscSigner({
    serviceUrl: url,
    credentialId: values.credential,
    auth: {
      serviceToken,
      authData: async (request: CscAuthDataRequest) => {
        const out: Record<string, string> = {};
        if (request.needs.includes('PIN')) out.PIN = await readSecret('PIN', pinFrom);
        if (request.needs.includes('OTP'))
          out.OTP = await readLine(io, `Enter the OTP${request.otpSent ? ' just sent to you' : ''}: `);
        return out;
      },
    },
  });
}

/** The PKCS#11 signer (HSM, smart card, SoftHSM2): token by label or slot, key by label or CKA_ID. */
async function tokenSigner(values: SignValues): Promise<Signer> {
  const token = values['token-label'];
  const slot = values.slot;
  if ((token === undefined) === (slot === undefined))
    throw new UsageError('--pkcs11 needs one of --token-label LABEL and --slot N');
  if (slot !== undefined && !/^\d{1,20}$/.test(slot)) throw new UsageError('--slot must be a slot number');
  const keyLabel = values['key-label'];
  const keyId = values['key-id'];
  if ((keyLabel === undefined) === (keyId === undefined))
    throw new UsageError('--pkcs11 needs one of --key-label LABEL and --key-id HEX');
  if (keyId !== undefined && !/^(?:[0-9a-fA-F]{2}){1,64}$/.test(keyId))
    throw new UsageError('--key-id must be the key’s CKA_ID in hex');
  const chain = values.chain === undefined ? undefined : await readTrust([values.chain], '--chain');
  const pin = await readSecret('token PIN', {
    file: values['pin-file'],
    env: values['pin-env'],
    defaultEnv: 'THGOV_PKCS11_PIN',
  });
  return pkcs11Signer({
    library: values.pkcs11 as string,
    ...(token !== undefined ? { tokenLabel: token } : { slot: BigInt(slot as string) }),
    ...(keyLabel !== undefined ? { keyLabel } : { keyId: keyId as string }),
    ...(chain ? { certificateChain: chain } : {}),
    pin,
  });
}

async function openSigner(values: SignValues, io: CliIo): Promise<Signer> {
  const given = (['pkcs12', 'pkcs11', 'csc'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError('give one key: --pkcs12, --pkcs11 or --csc, not several');
  if (values.csc !== undefined) return remoteSigner(values, io);
  if (values.pkcs11 !== undefined) return tokenSigner(values);
  if (values.pkcs12 === undefined)
    throw new UsageError('no key given: --pkcs12 FILE, --pkcs11 LIBRARY or --csc URL');
  const pfx = await readInput(values.pkcs12, 'PKCS#12 file', PKCS12_READ);
  const passphrase = await readSecret('PKCS#12 passphrase', {
    file: values['passphrase-file'],
    env: values['passphrase-env'],
    defaultEnv: 'THGOV_PKCS12_PASSPHRASE',
    allowEmpty: true,
  });
  return pkcs12Signer(pfx, passphrase);
}

function appearanceOf(values: SignValues): Pick<SignPdfOptions, 'appearance'> {
  if (values.visible === undefined) {
    if (values.page ?? values.name ?? values.position)
      throw new UsageError('--page, --name and --position describe a visible signature: add --visible');
    return {};
  }
  const rect = values.visible.split(',').map(Number);
  if (rect.length !== 4 || rect.some((n) => !Number.isFinite(n)))
    throw new UsageError('--visible must be X1,Y1,X2,Y2 in PDF points');
  const page = positiveInt('--page', values.page, 100_000);
  return {
    appearance: {
      rect: rect as [number, number, number, number],
      ...(page ? { page } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.position !== undefined ? { position: values.position } : {}),
    },
  };
}

/** The signPdf options of the command line, key aside. */
async function signOptions(values: SignValues): Promise<Omit<SignPdfOptions, 'signer'>> {
  const level = oneOf<PadesLevel>('--level', values.level, ['B-B', 'B-T', 'B-LT', 'B-LTA']) ?? 'B-B';
  const tsa = tsaUrl(values.tsa);
  if (level !== 'B-B' && !tsa) throw new UsageError(`--level ${level} needs --tsa URL`);
  const trust = await readTrust(values.trust ?? []);
  if (!trust.length && !values['skip-chain-check'])
    throw new UsageError('give --trust FILE (the pre-sign chain check) or --skip-chain-check');
  const certify = oneOf('--certify', values.certify, ['1', '2', '3'] as const);
  const timeoutInMs = positiveInt('--timeout', values.timeout, 600_000) ?? 30_000;
  const text = (k: 'reason' | 'location' | 'contactInfo', v: string | undefined) =>
    v === undefined ? {} : { [k]: v };
  return {
    level,
    ...(tsa ? { tsa } : {}),
    ...(trust.length ? { trustAnchors: trust } : { skipChainCheck: true }),
    revocation: oneOf('--revocation', values.revocation, ['fetch', 'embed'] as const) ?? 'fetch',
    ...text('reason', values.reason),
    ...text('location', values.location),
    ...text('contactInfo', values['contact-info']),
    ...(values['field-name'] ? { fieldName: values['field-name'] } : {}),
    ...(certify ? { certify: Number(certify) as 1 | 2 | 3 } : {}),
    ...appearanceOf(values),
    timeoutInMs,
  };
}

/** `thgov pdf sign IN OUT` (for code: `pdfSign` of commands.ts). */
export async function pdfSign(args: string[], rawIo: CliIo): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const { values, positionals } = parseCommandArgs(args, SIGN_OPTIONS, true);
  if (values.help) {
    io.stdout.write(PDF_SIGN_USAGE);
    return EXIT.OK;
  }
  const [input, output] = inOut(positionals);
  const options = await signOptions(values);
  const pdf = await readInput(input, 'the PDF');
  const signer = await openSigner(values, io);
  try {
    const signed = await signPdf(pdf, { ...options, signer });
    await writeOutputFile(output, signed);
  } finally {
    await signer.close?.();
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(signer.certificateChain[0]!).subject)?.[1];
  io.stdout.write(`signed ${input} -> ${output} (${options.level}${cn ? `, ${cn}` : ''})\n`);
  return EXIT.OK;
}

/** `thgov pdf extend IN OUT --level B-LT|B-LTA` (for code: `pdfExtend` of commands.ts). */
export async function pdfExtend(args: string[], rawIo: CliIo): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const { values, positionals } = parseCommandArgs(args, EXTEND_OPTIONS, true);
  if (values.help) {
    io.stdout.write(PDF_EXTEND_USAGE);
    return EXIT.OK;
  }
  const [input, output] = inOut(positionals);
  const level = oneOf('--level', values.level, ['B-LT', 'B-LTA'] as const);
  if (!level) throw new UsageError('--level B-LT or --level B-LTA is required');
  const tsa = tsaUrl(values.tsa);
  if (level === 'B-LTA' && !tsa) throw new UsageError('--level B-LTA needs --tsa URL');
  const trust = await readTrust(values.trust ?? []);
  const pdf = await readInput(input, 'the PDF');
  const extended = await extendPdf(pdf, {
    level,
    ...(tsa ? { tsa } : {}),
    ...(trust.length ? { trustAnchors: trust } : {}),
    revocation: oneOf('--revocation', values.revocation, ['fetch', 'embed'] as const) ?? 'fetch',
    timeoutInMs: positiveInt('--timeout', values.timeout, 600_000) ?? 30_000,
  });
  await writeOutputFile(output, extended);
  io.stdout.write(`extended ${input} -> ${output} (${level})\n`);
  return EXIT.OK;
}
