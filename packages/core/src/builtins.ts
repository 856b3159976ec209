// Node's built-in modules that @thgov/core uses on some paths only (hashing, keys, audit files, streaming bodies),
// loaded at first use with the synchronous `process.getBuiltinModule` (Node >= 20.16) instead of imported.
//
// An ES `import` of a built-in builds its whole namespace, touching every lazy getter on it (node:crypto then
// loads webcrypto, node:fs/promises the watchers and readline): importing @thgov/core cold took 32 ms in process,
// of which 11 went into node:crypto, node:stream, node:fs/promises, node:os and node:timers/promises. The same
// modules loaded by `getBuiltinModule` at first use cost less, and nothing on paths that never use them.
// The functions below are the built-ins' own, called through; classes (KeyObject, Readable) are reached
// through the module accessors.
import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs/promises';
import type * as NodeModule from 'node:module';
import type * as NodeOs from 'node:os';
import type * as NodeStream from 'node:stream';
import type * as NodeTimers from 'node:timers/promises';
import type * as NodeZlib from 'node:zlib';

let crypto: typeof NodeCrypto | undefined;
let fs: typeof NodeFs | undefined;
let module: typeof NodeModule | undefined;
let os: typeof NodeOs | undefined;
let stream: typeof NodeStream | undefined;
let timers: typeof NodeTimers | undefined;
let zlib: typeof NodeZlib | undefined;

/** node:crypto, loaded at first use. */
export const nodeCrypto = (): typeof NodeCrypto => (crypto ??= process.getBuiltinModule('node:crypto'));
/** node:fs/promises, loaded at first use. */
export const nodeFs = (): typeof NodeFs => (fs ??= process.getBuiltinModule('node:fs/promises'));
/** node:stream, loaded at first use. */
export const nodeStream = (): typeof NodeStream => (stream ??= process.getBuiltinModule('node:stream'));
/** node:zlib, loaded at first use (a compressed response). */
export const nodeZlib = (): typeof NodeZlib => (zlib ??= process.getBuiltinModule('node:zlib'));
const nodeModule = (): typeof NodeModule => (module ??= process.getBuiltinModule('node:module'));
const nodeOs = (): typeof NodeOs => (os ??= process.getBuiltinModule('node:os'));
const nodeTimers = (): typeof NodeTimers => (timers ??= process.getBuiltinModule('node:timers/promises'));

// biome-ignore lint/suspicious/noExplicitAny: a call passed through unchanged; the casts give back the overloads.
type Any = (...args: any[]) => any;
const through =
  <M, K extends keyof M>(load: () => M, name: K) =>
  (...args: unknown[]) =>
    (load()[name] as Any)(...args);

export const createHash = through(nodeCrypto, 'createHash') as typeof NodeCrypto.createHash;
export const createHmac = through(nodeCrypto, 'createHmac') as typeof NodeCrypto.createHmac;
export const createPrivateKey = through(nodeCrypto, 'createPrivateKey') as typeof NodeCrypto.createPrivateKey;
export const createPublicKey = through(nodeCrypto, 'createPublicKey') as typeof NodeCrypto.createPublicKey;
export const randomBytes = through(nodeCrypto, 'randomBytes') as typeof NodeCrypto.randomBytes;
export const randomUUID = through(nodeCrypto, 'randomUUID') as typeof NodeCrypto.randomUUID;
export const timingSafeEqual = through(nodeCrypto, 'timingSafeEqual') as typeof NodeCrypto.timingSafeEqual;

export const mkdir = through(nodeFs, 'mkdir') as typeof NodeFs.mkdir;
export const open = through(nodeFs, 'open') as typeof NodeFs.open;
export const readFile = through(nodeFs, 'readFile') as typeof NodeFs.readFile;
export const rename = through(nodeFs, 'rename') as typeof NodeFs.rename;
export const rm = through(nodeFs, 'rm') as typeof NodeFs.rm;
export const stat = through(nodeFs, 'stat') as typeof NodeFs.stat;
export const writeFile = through(nodeFs, 'writeFile') as typeof NodeFs.writeFile;

export const createRequire = through(nodeModule, 'createRequire') as typeof NodeModule.createRequire;
export const hostname = through(nodeOs, 'hostname') as typeof NodeOs.hostname;
export const sleep = through(nodeTimers, 'setTimeout') as typeof NodeTimers.setTimeout;
