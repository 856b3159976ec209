import { parseCommandArgs } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { escapeControls } from '../terminal-text.js';
import { catalogClient } from './client.js';
import { CATALOG_STATUS_USAGE } from './usage.js';

export { CATALOG_STATUS_USAGE };

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `thgov catalog status NAME`. */
export async function catalogStatus(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
  if (values.help) {
    io.stdout.write(CATALOG_STATUS_USAGE);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError('give one dataset name or id');
  const client = await catalogClient(values.config, io);
  try {
    const state = await client.publicationState(positionals[0] as string);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
      return EXIT.OK;
    }
    // Fields from the harvester, each kept on its line (escapeControls without keepLines).
    const f = (v: unknown) => escapeControls(String(v));
    const lines = [
      `${f(state.dataset)}: ${state.published ? 'published at the GD Catalog' : state.governanceState ? 'in the GD Catalog workflow, not published' : 'not harvested by the GD Catalog (yet)'}`,
    ];
    if (state.governanceState) lines.push(`  governance state: ${f(state.governanceState)}`);
    if (state.validateTime) lines.push(`  validated: ${f(state.validateTime)}`);
    if (state.publishedUrl) lines.push(`  published copy: ${f(state.publishedUrl)}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.OK;
  } finally {
    await client.close();
  }
}
