/**
 * `npm run fuzz`: property-based fuzzing of the gateway with schemathesis (PyPI; installed with pip when
 * missing) against its own OpenAPI description. Starts a redis-server, the compiled gateway and one
 * worker of each pool, runs schemathesis with the not_a_server_error check, and fails when any
 * response is a 5xx, a request gets no answer, or fewer than --min-requests requests were made.
 * The workers run the tiny random test model by default (--model for another GGUF): accepted jobs
 * then finish in milliseconds, so the synchronous OpenAI endpoints answer and the pools are healthy.
 *
 *   npm run fuzz [-- --examples 120 --min-requests 1000 --seed 1 --model models/x.gguf]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_MODEL_FILE } from '@lazyllm/engine/model/model-path';
import { freePort, startLocalRedis } from '@lazyllm/redis-server';
import { buildApps } from '../tests/e2e/support/app-build';
import { ServiceProcess } from '../tests/support/service-process';
import { writeTinyLlama } from '../tests/support/tiny-gguf';

interface Options {
  readonly examples: string;
  readonly minRequests: string;
  readonly model?: string;
  readonly seed: string;
}

const SCHEMATHESIS = 'schemathesis==4.32.5';

function ensureSchemathesis(): void {
  if (spawnSync('schemathesis', ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.log(`[fuzz] installing ${SCHEMATHESIS} with pip`);
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', SCHEMATHESIS], { stdio: 'inherit' });
  if (pip.status !== 0) throw new Error('pip could not install schemathesis');
}

function run(command: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

interface FuzzLog {
  /** Responses by status code. */
  readonly statuses: Map<number, number>;
  /** Requests that got no answer (timeouts, dropped connections). */
  readonly networkErrors: number;
  /** Errors inside schemathesis itself (e.g. a Hypothesis internal error): reported, not held against the gateway. */
  readonly toolErrors: number;
}

/** What schemathesis' NDJSON event log says about the responses it got. */
function readFuzzLog(ndjson: string): FuzzLog {
  const statuses = new Map<number, number>();
  let networkErrors = 0;
  let toolErrors = 0;
  for (const line of readFileSync(ndjson, 'utf8').split('\n')) {
    if (line === '') continue;
    for (const match of line.matchAll(/"status_code":\s*(\d{3})/g)) statuses.set(Number(match[1]), (statuses.get(Number(match[1])) ?? 0) + 1);
    if (!line.includes('"NonFatalError"')) continue;
    if (/Network Error|timed out|ConnectionError|Connection aborted/i.test(line)) networkErrors++;
    else toolErrors++;
  }
  return { statuses, networkErrors, toolErrors };
}

async function main(options: Options): Promise<number> {
  ensureSchemathesis();
  const scratch = mkdtempSync(join(tmpdir(), 'lazyllm-fuzz-'));
  const redis = await startLocalRedis({ dataRoot: scratch });
  const build = await buildApps();
  // Named as the default model, so the OpenAPI examples' `model` matches and requests reach generation.
  const model = options.model === undefined ? join(scratch, DEFAULT_MODEL_FILE) : resolve(options.model);
  if (options.model === undefined) writeTinyLlama(model, { contextLength: 2048 });
  const apps: ServiceProcess[] = [];
  try {
    const port = await freePort();
    const env = { ...process.env, REDIS_URL: redis.url, MODEL_PATH: model, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1', QUEUE_PREFIX: 'fuzz' };
    apps.push(await ServiceProcess.start('gateway', build.entry('gateway'), env, /listening on/));
    apps.push(await ServiceProcess.start('prefill', build.entry('prefill-worker'), env, /PrefillProcessor.*ready/, 180_000));
    apps.push(await ServiceProcess.start('decode', build.entry('decode-worker'), env, /DecodeProcessor.*ready/, 180_000));
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
      // No example database left in the working directory: each run starts from its seed.
      '--generation-database', 'none',
      '--no-color',
      // Its crash cache (.schemathesis/) goes to the scratch directory, not the repository.
    ], scratch);
    const { statuses, networkErrors, toolErrors } = readFuzzLog(report);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ');
    console.log(`[fuzz] ${total} requests (${byStatus}); ${serverErrors} server errors; ${networkErrors} unanswered; ${toolErrors} schemathesis-internal errors; schemathesis exit code ${code}`);
    const crashed = apps.filter((app) => !app.alive);
    if (crashed.length > 0) console.log(`[fuzz] ${crashed.map((a) => a.name).join(', ')} exited during the run:\n${crashed.flatMap((a) => a.output.slice(-40)).join('\n')}`);
    if (serverErrors > 0) console.log(apps[0].output.filter((line) => /ERROR/.test(line)).slice(-40).join('\n'));
    const minRequests = Number(options.minRequests);
    if (total < minRequests) console.log(`[fuzz] fewer than ${minRequests} requests: raise --examples`);
    // schemathesis also exits 1 on its own internal errors, so the verdict is taken from the log.
    return serverErrors === 0 && networkErrors === 0 && total >= minRequests && crashed.length === 0 ? 0 : 1;
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
  .option('--model <path>', 'GGUF for the gateway and workers (default: the tiny random test model)')
  .option('--seed <n>', 'schemathesis random seed, for a reproducible run', '1')
  .parse();

main(program.opts<Options>()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
