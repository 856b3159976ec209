import { spawnSync } from 'node:child_process';

/**
 * The modules a fresh `node --import tsx` process loads while it imports `entry` (a path relative to `cwd`,
 * TypeScript allowed) and then runs `code`, with the import bound to `pkg`: the URL of every module a resolve hook
 * sees (ES imports), then the path of every file in `require.cache` (CommonJS loaded through `require`, which the
 * hook does not see). For cold-start tests: "importing the package does not load X; using Y does". Throws with
 * the child's stderr if it fails.
 */
export function modulesResolvedBy(options: { cwd: string; entry: string; code?: string }): string[] {
  const hook = `let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      port.postMessage(r.url);
      return r;
    }`;
  const script = `
    import { createRequire, register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on('message', (url) => seen.push(url));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), {
      data: { port: port2 },
      transferList: [port2],
    });
    const pkg = await import(${JSON.stringify(options.entry)});
    ${options.code ?? ''}
    await new Promise((r) => setTimeout(r, 200));
    port1.close();
    console.log(JSON.stringify([...seen, ...Object.keys(createRequire(import.meta.url).cache)]));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`the child process failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as string[];
}
