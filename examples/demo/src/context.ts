import type { AuditChainKey, FileAuditSink } from '@thgov/core';
import type { Sandbox } from '@thgov/sandbox';
import type { Reporter } from './reporter.js';

/** Which step to break on purpose (`--break <step>`), to show what a failure looks like. */
export const BREAK_POINTS = ['login', 'gdx', 'ecms', 'transcript', 'catalog', 'audit'] as const;
export type BreakPoint = (typeof BREAK_POINTS)[number];

/** What every step of the story shares. */
export interface DemoContext {
  sandbox: Sandbox;
  report: Reporter;
  /** The agency's hash-chained audit log (in a temporary directory). */
  audit: FileAuditSink;
  auditPath: string;
  /** The chain key an auditor is given to verify the log (never the subject-hash secret). */
  auditChainKey: AuditChainKey;
  /** Budget for each step; the whole demo has its own watchdog in main.ts. */
  stepTimeoutInMs: number;
  breakAt: BreakPoint | undefined;
}

/** Seconds, not minutes: a sandbox answers in milliseconds, so a slow step is a bug worth failing on. */
export const CLIENT_TIMEOUTS = { connectInMs: 2_000, headersInMs: 5_000, bodyInMs: 5_000, totalInMs: 8_000 };
