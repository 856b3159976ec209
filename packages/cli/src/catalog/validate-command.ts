import { type DatasetValidation, validateDataset } from '@thgov/catalog';
import { parseCommandArgs } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { catalogClient } from './client.js';
import { readMetadataJson } from './metadata-file.js';
import { CATALOG_VALIDATE_USAGE } from './usage.js';

export { CATALOG_VALIDATE_USAGE };

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
  const metadata = await readMetadataJson(file);
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new UsageError(`${file} must hold one JSON object (the dataset's metadata)`);
  }
  let result: DatasetValidation;
  if (values.server) {
    const client = await catalogClient(values.config, io);
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
