// Node's on-disk compile cache for the `thgov` command, where Node has one (22.1 and later; Node 20 has none).
//
// A cold `thgov transcript verify` spends a good part of its time compiling JavaScript: about 1.5 MB of it, pkijs
// alone 808 KB. Node 22 can keep V8's compiled code on disk between runs (`module.enableCompileCache`).
// `bench/cold-start.bench.ts`, one signed transcript, warm cache against none, median: 229 against 248 ms on
// Node 22.23, 250 against 265 ms on Node 24.22. Only the command turns it on, before it loads anything else:
// the setting holds for the whole process, which in a library is the application's decision, not ours.
//
// Where the cache lives matters: a cache entry is code the process will run. Node's default folder is under the
// shared temporary directory, where another local account could have created it first and placed entries
// there. The command's cache is a folder of the user's own instead: `$XDG_CACHE_HOME/thgov/node-compile-cache`
// (`~/.cache/…` when XDG_CACHE_HOME is unset or not absolute), `~/Library/Caches/thgov/…` on macOS,
// `%LOCALAPPDATA%\thgov\Cache\…` on Windows. On POSIX systems the folder and its parent must be real folders
// (not symbolic links), owned by the user and writable by no one else; otherwise there is no cache. Nothing here
// ever fails the command: any error means no cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off (Node's own
// switch); NODE_COMPILE_CACHE, when set, is Node's choice of folder and wins.
import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** What `enableCompileCache` did, for tests; the command never prints it. */
export type CompileCacheOutcome =
  | { status: 'enabled' | 'already-enabled'; directory: string | undefined }
  | { status: 'unsupported' | 'disabled' | 'unsafe-folder' | 'failed'; reason: string };

/** The part of node:module this uses: present from Node 22.1. */
interface CompileCacheApi {
  enableCompileCache?: (directory?: string) => { status: number; message?: string; directory?: string };
  constants?: { compileCacheStatus?: Record<string, number> };
}

interface Host {
  module: CompileCacheApi;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  uid: number | undefined;
  home: () => string;
}

const defaultHost = (): Host => ({
  module: process.getBuiltinModule('node:module') as CompileCacheApi,
  env: process.env,
  platform: process.platform,
  uid: process.getuid?.(),
  home: homedir,
});

/** The folder the command keeps its compile cache in, or a reason there is none. */
export function compileCacheDirectory(
  host: Pick<Host, 'env' | 'platform' | 'home'>,
): string | { reason: string } {
  const { env, platform } = host;
  let home: string;
  try {
    home = host.home();
  } catch {
    return { reason: 'no home folder' };
  }
  if (platform === 'win32') {
    const base =
      env.LOCALAPPDATA && isAbsolute(env.LOCALAPPDATA)
        ? env.LOCALAPPDATA
        : home && join(home, 'AppData', 'Local');
    return base ? join(base, 'thgov', 'Cache', 'node-compile-cache') : { reason: 'no home folder' };
  }
  if (!home || !isAbsolute(home)) return { reason: 'no home folder' };
  const base =
    platform === 'darwin'
      ? join(home, 'Library', 'Caches')
      : env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)
        ? env.XDG_CACHE_HOME
        : join(home, '.cache');
  return join(base, 'thgov', 'node-compile-cache');
}

/** Why `path` is not a folder only `uid` can write to, or undefined when it is. */
function unsafeFolder(path: string, uid: number): string | undefined {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return `${path} is a symbolic link`;
  if (!st.isDirectory()) return `${path} is not a folder`;
  if (st.uid !== uid) return `${path} belongs to another user`;
  if ((st.mode & 0o022) !== 0) return `${path} is writable by others`;
  return undefined;
}

/**
 * Turns on Node's compile cache for this process in the user's private cache folder, when Node has one and the
 * folder is safe. Call it before importing anything else: only modules loaded afterwards use the cache.
 */
export function enableCompileCache(host: Host = defaultHost()): CompileCacheOutcome {
  try {
    const api = host.module;
    if (typeof api.enableCompileCache !== 'function') {
      return { status: 'unsupported', reason: 'this Node.js has no compile cache (22.1 and later have one)' };
    }
    if (host.env.NODE_DISABLE_COMPILE_CACHE !== undefined)
      return { status: 'disabled', reason: 'NODE_DISABLE_COMPILE_CACHE is set' };
    let directory: string | undefined;
    if (!host.env.NODE_COMPILE_CACHE) {
      const chosen = compileCacheDirectory(host);
      if (typeof chosen !== 'string') return { status: 'failed', reason: chosen.reason };
      // `sudo thgov …` keeps the caller's HOME: root writing there would leave root-owned folders in it.
      if (host.uid === 0 && statSync(host.home()).uid !== 0) {
        return { status: 'unsafe-folder', reason: 'running as root with a HOME of another user' };
      }
      mkdirSync(chosen, { recursive: true, mode: 0o700 });
      if (host.platform !== 'win32' && host.uid !== undefined) {
        const problem = unsafeFolder(chosen, host.uid) ?? unsafeFolder(dirname(chosen), host.uid);
        if (problem) return { status: 'unsafe-folder', reason: problem };
      }
      directory = chosen;
    }
    const result = api.enableCompileCache(directory);
    const codes = api.constants?.compileCacheStatus ?? {};
    if (result.status === codes.ENABLED)
      return { status: 'enabled', directory: result.directory ?? directory };
    if (result.status === codes.ALREADY_ENABLED)
      return { status: 'already-enabled', directory: result.directory };
    if (result.status === codes.DISABLED)
      return { status: 'disabled', reason: result.message ?? 'disabled by Node' };
    return { status: 'failed', reason: result.message ?? 'Node could not use the folder' };
  } catch (err) {
    return { status: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
}
