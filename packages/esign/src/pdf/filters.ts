import { inflateSync } from 'node:zlib';
import { EsignError } from '../errors.js';
import type { Budget } from './limits.js';
import { dictOf, type PdfDict, PdfName, type PdfObject, type PdfStream } from './objects.js';

/**
 * Decodes a stream's data. Only the filters a transcript needs are supported (Flate with PNG/TIFF
 * predictors); anything else is a typed error rather than a guess.
 */
export function decodeStream(stream: PdfStream, budget: Budget): Uint8Array {
  const filter = stream.dict.get('Filter');
  const filters: PdfObject[] =
    filter === undefined || filter === null ? [] : Array.isArray(filter) ? filter : [filter];
  const parmsRaw = stream.dict.get('DecodeParms');
  const parmsList: PdfObject[] = Array.isArray(parmsRaw) ? parmsRaw : [parmsRaw ?? null];
  let data: Uint8Array = stream.raw;
  filters.forEach((f, i) => {
    if (!(f instanceof PdfName)) throw new EsignError('ERR_PDF_FORMAT', 'Stream filter is not a name');
    // The reader decrypted the data already (document.ts): a /Crypt filter has nothing left to do.
    if (f.name === 'Crypt') return;
    if (f.name === 'FlateDecode' || f.name === 'Fl') {
      try {
        data = inflateSync(data, { maxOutputLength: budget.limits.maxStreamBytes, finishFlush: 2 });
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') {
          throw new EsignError(
            'ERR_PDF_LIMIT',
            `A stream decodes to more than ${budget.limits.maxStreamBytes} bytes`,
          );
        }
        throw new EsignError('ERR_PDF_FORMAT', 'A Flate stream could not be decoded', { cause });
      }
      data = unpredict(data, dictOf(parmsList[i] ?? undefined));
    } else {
      throw new EsignError('ERR_PDF_FORMAT', `Unsupported stream filter /${f.name}`);
    }
  });
  budget.tick();
  return data;
}

function unpredict(data: Uint8Array, parms: PdfDict | undefined): Uint8Array {
  if (!parms) return data;
  const predictor = num(parms.get('Predictor'), 1);
  if (predictor === 1) return data;
  const colors = num(parms.get('Colors'), 1);
  const bpc = num(parms.get('BitsPerComponent'), 8);
  const columns = num(parms.get('Columns'), 1);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (rowLen <= 0 || rowLen > 1 << 20) throw new EsignError('ERR_PDF_FORMAT', 'Bad predictor parameters');
  if (predictor === 2) {
    if (bpc !== 8) throw new EsignError('ERR_PDF_FORMAT', 'Unsupported TIFF predictor depth');
    const out = Uint8Array.from(data);
    for (let r = 0; r * rowLen < out.length; r++) {
      for (let i = bpp; i < rowLen && r * rowLen + i < out.length; i++) {
        out[r * rowLen + i] = (out[r * rowLen + i]! + out[r * rowLen + i - bpp]!) & 0xff;
      }
    }
    return out;
  }
  if (predictor < 10) throw new EsignError('ERR_PDF_FORMAT', `Unsupported predictor ${predictor}`);
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  let prev = new Uint8Array(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    const row = data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1));
    const cur = out.subarray(r * rowLen, (r + 1) * rowLen);
    for (let i = 0; i < rowLen; i++) {
      const left = i >= bpp ? cur[i - bpp]! : 0;
      const up = prev[i]!;
      const ul = i >= bpp ? prev[i - bpp]! : 0;
      const x = row[i]!;
      let v: number;
      switch (type) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + left;
          break;
        case 2:
          v = x + up;
          break;
        case 3:
          v = x + ((left + up) >> 1);
          break;
        case 4: {
          const p = left + up - ul;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - ul);
          v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul);
          break;
        }
        default:
          throw new EsignError('ERR_PDF_FORMAT', `Bad PNG predictor row type ${type}`);
      }
      cur[i] = v & 0xff;
    }
    prev = cur;
  }
  return out;
}

function num(o: PdfObject | undefined, dflt: number): number {
  return typeof o === 'number' && Number.isInteger(o) && o >= 0 ? o : dflt;
}
