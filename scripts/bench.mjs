// Runs every workspace package's `bench` script, echoes its output, and collects the JSON result lines
// ({"bench": ..., "ratio": ...}) into bench/results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = [];
let failed = 0;
for (const group of ['packages', 'examples']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const dir of readdirSync(base).sort()) {
    const manifestPath = join(base, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!manifest.scripts?.bench) continue;
    process.stderr.write(`\n# ${manifest.name}\n`);
    const run = spawnSync('pnpm', ['run', '--silent', 'bench'], {
      cwd: join(base, dir),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const line of (run.stdout ?? '').split('\n')) {
      const trimmed = line.trim();
      if (!trimmed) continue;
      process.stdout.write(`${trimmed}\n`);
      if (!trimmed.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(trimmed);
        if (typeof parsed.bench === 'string') results.push({ package: manifest.name, ...parsed });
      } catch {
        // not a result line
      }
    }
    if (run.status !== 0) {
      failed++;
      process.stderr.write(`! ${manifest.name} bench exited with ${run.status}\n`);
    }
  }
}
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
);
process.stderr.write(`\n${results.length} benchmark lines written to bench/results.json\n`);
process.exit(failed > 0 ? 1 : 0);
