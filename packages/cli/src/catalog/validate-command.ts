import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type DatasetValidation, validateDataset } from '@thgov/catalog';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { catalogClient, usage } from './client.js';

/** `thgov catalog validate --help`. */
export const CATALOG_VALIDATE_USAGE = `Usage: thgov catalog validate [--schema 2.1|2.2 | --server] [--json] DATASET.json

Checks dataset metadata against the thai_gdc standard offline: the mandatory items, the exact Thai choice
values, the "อื่นๆ" → <field>_other rule, per-type fields and the "True"/"False" strings. Each problem names
the field, in Thai and English.

Options:
  --schema 2.1|2.2  the thai_gdc version to check against (default 2.2)
  --server          use the version and the scheming schema of the catalog in the configuration
  --config FILE     configuration file for --server (default: $THGOV_CONFIG or ./thgov.config.json)
  --json            print the result as JSON
  -h, --help        this help

Exit status: 0 when the metadata is valid (warnings allowed), 1 when it is not, 2 for usage errors.
`;

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
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

/** `thgov catalog validate`: exit 1 with per-field Thai/English messages. */
export async function catalogValidate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        schema: { type: 'string' },
        server: { type: 'boolean' },
        config: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
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
