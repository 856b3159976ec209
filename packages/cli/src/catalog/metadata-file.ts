import { UsageError } from '../io.js';
import { duplicateKeyPaths } from '../json-keys.js';
import { jsonErrorPosition } from '../json-position.js';
import { MAX_JSON_BYTES, readFailure, readInputFile } from '../read-input-file.js';

/**
 * The JSON value in a dataset metadata file: a regular file of at most 4 MiB (a FIFO would block the read,
 * /dev/zero fill memory). A file that cannot be read or parsed, or that writes a key twice in one object, is a
 * usage error naming it (and the key path).
 */
export async function readMetadataJson(file: string): Promise<unknown> {
  let text: string;
  try {
    const bytes = await readInputFile(file, {
      maxBytes: MAX_JSON_BYTES,
      limitName: 'the limit for metadata',
    });
    text = Buffer.from(bytes).toString('utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file} as JSON${readFailure(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the fault (a maintainer's name, an e-mail): the position only.
    throw new UsageError(`cannot read ${file} as JSON: not valid JSON${jsonErrorPosition(text, err)}`);
  }
  // JSON.parse keeps a repeated key's last value: what the maintainer reviewed is not what would be published.
  const duplicates = duplicateKeyPaths(text);
  if (duplicates.length)
    throw new UsageError(
      `cannot read ${file} as JSON: duplicate key ${duplicates.join(', ')} (write each key once)`,
    );
  return value;
}
