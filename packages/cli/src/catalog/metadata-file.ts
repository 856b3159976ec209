import { UsageError } from '../io.js';
import { jsonErrorPosition } from '../json-position.js';
import { MAX_JSON_BYTES, readFailure, readInputFile } from '../read-input-file.js';

/**
 * The JSON value in a dataset metadata file: a regular file of at most 4 MiB (a FIFO would block the read,
 * /dev/zero fill memory). A file that cannot be read or parsed is a usage error naming it.
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
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the fault (a maintainer's name, an e-mail): the position only.
    throw new UsageError(`cannot read ${file} as JSON: not valid JSON${jsonErrorPosition(text, err)}`);
  }
}
