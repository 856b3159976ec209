import { CitizenIdByteCounter, isBinaryContainer } from '../citizen-ids.js';
import { refuseCitizenIds } from '../privacy.js';
import type { UploadSource } from './source.js';

/**
 * The citizen-ID scan of an upload, decided by its content, not its declared format: anything but a binary
 * container (ZIP/XLSX, OLE2/XLS, gzip, PDF, images) is read as text, in UTF-8 or UTF-16. A file or in-memory
 * content is read whole before anything is sent. A stream cannot be read twice: its first bytes (the sample) are
 * read before sending and the rest as it is sent, and the upload is stopped before its end when an ID shows up,
 * so the catalog never receives a complete request. Returns the source to send.
 */
export async function scanUpload(source: UploadSource, action: string): Promise<UploadSource> {
  if (isBinaryContainer(source.sample)) return source;
  if (source.replayable) {
    const counter = new CitizenIdByteCounter(source.sample);
    for await (const chunk of source.open()) counter.push(chunk);
    refuseCitizenIds(counter.end(), action, 'the file');
    return source;
  }
  // The sample's last digits may continue after it: only a sample that is the whole stream is read to its end.
  const head = new CitizenIdByteCounter(source.sample);
  const found = head.push(source.sample);
  refuseCitizenIds(source.sampleIsWhole ? head.end() : found, action, 'the stream');
  return source.sampleIsWhole ? source : scannedWhileSent(source, action);
}

const STOPPED = '; the upload was stopped before its end';

/** A stream's source whose chunks are scanned as they are sent, each held until the one after it is read. */
function scannedWhileSent(source: UploadSource, action: string): UploadSource {
  return {
    ...source,
    async *open() {
      const counter = new CitizenIdByteCounter(source.sample);
      let held: Uint8Array | undefined;
      for await (const chunk of source.open()) {
        // An ID split between this chunk and the one before is found before the one before is sent.
        refuseCitizenIds(counter.push(chunk), action, 'the stream', STOPPED);
        if (held) yield held;
        held = chunk;
      }
      refuseCitizenIds(counter.end(), action, 'the stream', STOPPED);
      if (held) yield held;
    },
  };
}
