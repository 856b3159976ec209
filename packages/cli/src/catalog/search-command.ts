import { parseCommandArgs } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { escapeControls } from '../terminal-text.js';
import { catalogClient } from './client.js';
import { CATALOG_SEARCH_USAGE } from './usage.js';

export { CATALOG_SEARCH_USAGE };

const OPTIONS = {
  fq: { type: 'string' },
  limit: { type: 'string' },
  private: { type: 'boolean' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `thgov catalog search`. */
export async function catalogSearch(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
  if (values.help) {
    io.stdout.write(CATALOG_SEARCH_USAGE);
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError('give at most one query (quote it)');
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000)
    throw new UsageError('--limit takes a positive integer');
  const client = await catalogClient(values.config, io);
  const found: Array<Record<string, unknown>> = [];
  let count = 0;
  try {
    for await (const page of client.searchDatasets({
      q: positionals[0],
      fq: values.fq,
      limit,
      includePrivate: values.private === true,
    })) {
      count = page.count;
      for (const d of page.datasets) {
        const org = d.organization as { name?: string } | null | undefined;
        found.push({
          id: d.id,
          name: d.name,
          title: d.title,
          organization: org?.name,
          metadata_modified: d.metadata_modified,
          private: d.private,
        });
      }
    }
  } finally {
    await client.close();
  }
  if (values.json) io.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
  else {
    // Each field on its row: a line feed or tab in a title is shown escaped, never a fake row.
    for (const d of found)
      io.stdout.write(
        `${escapeControls(String(d.name)).padEnd(40)} ${escapeControls(shownText(d.title))}${d.private ? ' (private)' : ''}\n`,
      );
    io.stdout.write(`${found.length} of ${count} dataset(s)\n`);
  }
  return EXIT.OK;
}

/**
 * A title as one line of text: a translated one (ckanext-fluent's object of language → text) in Thai, else English,
 * else its first language; anything else as its string.
 */
function shownText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  const t = value as Record<string, unknown>;
  const pick = t.th ?? t.en ?? Object.values(t).find((v) => typeof v === 'string');
  return typeof pick === 'string' ? pick : '';
}
