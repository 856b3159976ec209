import { type DatasetValidation, validateDataset } from '@thgov/catalog';
import { parseCommandArgs } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { MAX_JSON_BYTES, readFailure, readInputFile } from '../read-input-file.js';
import { catalogClient } from './client.js';
import { CATALOG_VALIDATE_USAGE } from './usage.js';

export { CATALOG_VALIDATE_USAGE };

/** The metadata file: a regular file of at most 4 MiB (a FIFO would block the read, /dev/zero fill memory). */
async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    const bytes = await readInputFile(file, {
      maxBytes: MAX_JSON_BYTES,
      limitName: 'the limit for metadata',
    });
    text = Buffer.from(bytes).toString('utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}${readFailure(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

function render(file: string, r: DatasetValidation): string {
  const lines = [
    `${r.valid ? '✓' : '✗'} ${file}: thai_gdc ${r.specVersion}, ${r.errors.length} error(s), ${r.warnings.length} warning(s)`,
  ];
  for (const e of r.errors) lines.push(`  ✗ ${e.field}: ${e.th}`, `      ${e.en}`);
  for (const w of r.warnings) lines.push(`  ! ${w.field}: ${w.th}`, `      ${w.en}`);
  return `${lines.join('\n')}\n`;
}

const OPTIONS = {
  schema: { type: 'string' },
  server: { type: 'boolean' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `thgov catalog validate`: exit 1 with per-field Thai/English messages. */
export async function catalogValidate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
  if (values.help) {
    io.stdout.write(CATALOG_VALIDATE_USAGE);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError('give one dataset metadata file (JSON)');
  if (values.schema !== undefined && values.schema !== '2.1' && values.schema !== '2.2') {
    throw new UsageError('--schema takes 2.1 or 2.2');
  }
  if (values.schema && values.server) throw new UsageError('--schema and --server exclude each other');
  const file = positionals[0] as string;
  const metadata = await readJson(file);
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new UsageError(`${file} must hold one JSON object (the dataset's metadata)`);
  }
  let result: DatasetValidation;
  if (values.server) {
    const client = await catalogClient(values.config);
    try {
      result = await client.validateDataset(metadata);
    } finally {
      await client.close();
    }
  } else
    result = validateDataset(metadata, { version: (values.schema as '2.1' | '2.2' | undefined) ?? '2.2' });
  io.stdout.write(values.json ? `${JSON.stringify({ file, ...result }, null, 2)}\n` : render(file, result));
  return result.valid ? EXIT.OK : EXIT.FAILED;
}
