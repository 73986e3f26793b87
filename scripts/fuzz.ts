/**
 * `npm run fuzz`: property-based fuzzing of the gateway with schemathesis (PyPI; installed with pip when
 * missing) against its own OpenAPI description. Starts a redis-server and the compiled gateway (and
 * with --workers one worker of each pool), runs schemathesis with the not_a_server_error check, and
 * fails when any response is a 5xx or fewer than --min-requests requests were made.
 *
 *   npm run fuzz [-- --examples 120 --min-requests 1000 --workers --seed 1]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { freePort, startLocalRedis } from '@lazyllm/redis-server';
import { modelPath } from '../apps/shared/engine-settings';
import { buildApps } from '../tests/e2e/support/app-build';
import { ServiceProcess } from '../tests/support/service-process';

interface Options {
  readonly examples: string;
  readonly minRequests: string;
  readonly workers: boolean;
  readonly seed: string;
}

const SCHEMATHESIS = 'schemathesis==4.32.5';

function ensureSchemathesis(): void {
  if (spawnSync('schemathesis', ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.log(`[fuzz] installing ${SCHEMATHESIS} with pip`);
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', SCHEMATHESIS], { stdio: 'inherit' });
  if (pip.status !== 0) throw new Error('pip could not install schemathesis');
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** Every response schemathesis got, by status code, from its NDJSON event log. */
function statusCounts(ndjson: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of readFileSync(ndjson, 'utf8').split('\n')) {
    if (line === '') continue;
    for (const match of line.matchAll(/"status_code":\s*(\d{3})/g)) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
  }
  return counts;
}

async function main(options: Options): Promise<number> {
  ensureSchemathesis();
  const scratch = mkdtempSync(join(tmpdir(), 'lazyllm-fuzz-'));
  const redis = await startLocalRedis({ dataRoot: scratch });
  const build = await buildApps();
  const apps: ServiceProcess[] = [];
  try {
    const port = await freePort();
    const env = { ...process.env, REDIS_URL: redis.url, MODEL_PATH: modelPath(), PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1', QUEUE_PREFIX: 'fuzz' };
    apps.push(await ServiceProcess.start('gateway', build.entry('gateway'), env, /listening on/));
    if (options.workers) {
      apps.push(await ServiceProcess.start('prefill', build.entry('prefill-worker'), env, /PrefillProcessor.*ready/, 180_000));
      apps.push(await ServiceProcess.start('decode', build.entry('decode-worker'), env, /DecodeProcessor.*ready/, 180_000));
    }
    const report = join(scratch, 'events.ndjson');
    const base = `http://127.0.0.1:${port}`;
    const code = await run('schemathesis', [
      'run', `${base}/docs/openapi.json`,
      '--checks', 'not_a_server_error',
      '--max-examples', options.examples,
      '--seed', options.seed,
      '--request-timeout', '30',
      '--workers', '2',
      '--report', 'ndjson', '--report-ndjson-path', report,
      '--no-color',
    ]);
    const counts = statusCounts(report);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const serverErrors = [...counts].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
    const byStatus = [...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ');
    console.log(`[fuzz] ${total} requests (${byStatus}); ${serverErrors} server errors; schemathesis exit code ${code}`);
    const crashed = apps.filter((app) => !app.alive);
    if (crashed.length > 0) console.log(`[fuzz] ${crashed.map((a) => a.name).join(', ')} exited during the run:\n${crashed.flatMap((a) => a.output.slice(-40)).join('\n')}`);
    if (serverErrors > 0) console.log(apps[0].output.filter((line) => /ERROR/.test(line)).slice(-40).join('\n'));
    const minRequests = Number(options.minRequests);
    if (total < minRequests) console.log(`[fuzz] fewer than ${minRequests} requests: raise --examples`);
    return code === 0 && serverErrors === 0 && total >= minRequests && crashed.length === 0 ? 0 : 1;
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await redis.stop();
    build.remove();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const program = new Command('fuzz')
  .option('--examples <n>', 'test cases per API operation', '120')
  .option('--min-requests <n>', 'fail when fewer requests were made', '1000')
  .option('--workers', 'also run one worker of each pool, so submitted jobs run', false)
  .option('--seed <n>', 'schemathesis random seed, for a reproducible run', '1')
  .parse();

main(program.opts<Options>()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
