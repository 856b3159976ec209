import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJsonBody, validateBody } from '../src/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('response bodies', () => {
  it('builds the error options only when there is an error', () => {
    const never = () => {
      throw new Error('error options built for a success');
    };
    expect(parseJsonBody(bytes('{"a":1}'), never)).toEqual({ a: 1 });
    expect(validateBody({ a: 1 }, z.object({ a: z.number() }), never)).toEqual({ a: 1 });
    let built = 0;
    const lazy = () => {
      built++;
      return { statusCode: 200, requestId: 'r-1' };
    };
    expect(() => parseJsonBody(bytes('{not json'), lazy)).toThrow(
      expect.objectContaining({ code: 'ERR_RESPONSE_PARSE', requestId: 'r-1' }),
    );
    expect(() => validateBody({ a: 'x' }, z.object({ a: z.number() }), lazy)).toThrow(
      expect.objectContaining({ code: 'ERR_RESPONSE_SCHEMA', statusCode: 200 }),
    );
    expect(built).toBe(2);
    expect(() => parseJsonBody(bytes('{'), { requestId: 'plain' })).toThrow(
      expect.objectContaining({ requestId: 'plain' }),
    );
  });
});
