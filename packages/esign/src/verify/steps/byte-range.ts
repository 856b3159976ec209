import type { SignatureStep } from '../context.js';
import { check, failed } from '../report.js';

/** Step 5: the /ByteRange starts at 0, its gap is exactly this dictionary's /Contents token, all in bounds. */
export const byteRange: SignatureStep = (state, ctx) => {
  const g = state.geometry!;
  const [a, b, c, d] = g.byteRange;
  const len = ctx.doc.bytes.length;
  const evidence = {
    byteRange: g.byteRange,
    contentsToken: [g.contents.start, g.contents.end],
    fileSize: len,
  };
  let problem: string | undefined;
  if (a !== 0) problem = '/ByteRange does not start at 0';
  else if (b !== g.contents.start || c !== g.contents.end)
    problem = "The /ByteRange gap is not exactly this signature dictionary's /Contents";
  else if (!(b < c) || c + d > len || d < 0) problem = '/ByteRange is out of bounds or overlapping';
  state.report.checks.push(
    problem
      ? failed('byte-range', 'FORMAT_FAILURE', problem, { evidence })
      : check('byte-range', 'PASSED', 'The gap is exactly the /Contents token', { evidence }),
  );
  return problem === undefined;
};
