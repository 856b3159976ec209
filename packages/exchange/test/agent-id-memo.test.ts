import { completeThaiId } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { CheckedAgentIds, resolveContext } from '../src/context.js';

/*
 * A client checks and normalises each AgentID once and remembers the result: what it remembers must be
 * exactly what a fresh check gives, for every spelling, and an invalid ID must be refused on every call.
 */
describe('CheckedAgentIds', () => {
  const id = completeThaiId('110170023070');
  const dashed = `${id[0]}-${id.slice(1, 5)}-${id.slice(5, 10)}-${id.slice(10, 12)}-${id[12]}`;

  it('gives the same normalised ID on the first and every later call, in any spelling', () => {
    const ids = new CheckedAgentIds();
    for (let n = 0; n < 3; n++) {
      expect(ids.resolve(dashed)).toBe(id);
      expect(ids.resolve(id)).toBe(id);
      expect(ids.resolve('welfare-batch')).toBe('welfare-batch');
      expect(resolveContext({ agentId: dashed }, undefined, ids).agentId).toBe(id);
    }
  });

  it('refuses an invalid or missing AgentID on every call, never remembering it', () => {
    const ids = new CheckedAgentIds();
    const wrong = id.slice(0, 12) + String((Number(id[12]) + 1) % 10);
    for (let n = 0; n < 3; n++) {
      expect(() => ids.resolve(wrong)).toThrow(expect.objectContaining({ code: 'ERR_GDX_AGENT_ID' }));
      expect(() => ids.resolve(undefined)).toThrow(expect.objectContaining({ code: 'ERR_GDX_AGENT_ID' }));
      expect(() => ids.resolve(`batch ${id}`)).toThrow(expect.objectContaining({ code: 'ERR_GDX_AGENT_ID' }));
    }
  });
});
