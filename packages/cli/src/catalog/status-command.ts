import { parseArgs } from 'node:util';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { catalogClient, usage } from './client.js';

/** `thgov catalog status --help`. */
export const CATALOG_STATUS_USAGE = `Usage: thgov catalog status NAME [--json] [--config FILE]

Where a dataset stands at the central GD Catalog: harvested or not, its governance state (VALIDATE,
VALIDATE_MODIFIED, APPROVAL, WAIT_REVOKE, REVOKE, WAIT, DELETED, REJECT), when it was validated, and the
published copy's address.

Exit status: 0 when the state could be read (published or not), 1 when the catalog or the GD Catalog
harvester could not say, 2 for usage errors.
`;

/** `thgov catalog status NAME`. */
export async function catalogStatus(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    io.stdout.write(CATALOG_STATUS_USAGE);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError('give one dataset name or id');
  const client = await catalogClient(values.config);
  try {
    const state = await client.publicationState(positionals[0] as string);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
      return EXIT.OK;
    }
    const lines = [
      `${state.dataset}: ${state.published ? 'published at the GD Catalog' : state.governanceState ? 'in the GD Catalog workflow, not published' : 'not harvested by the GD Catalog (yet)'}`,
    ];
    if (state.governanceState) lines.push(`  governance state: ${state.governanceState}`);
    if (state.validateTime) lines.push(`  validated: ${state.validateTime}`);
    if (state.publishedUrl) lines.push(`  published copy: ${state.publishedUrl}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.OK;
  } finally {
    await client.close();
  }
}
