/**
 * `npm run soak [-- --quick]`: the service under faults. Starts Redis (append-only file on), the compiled
 * gateway, 2 prefill and 2 decode workers on the real model; runs every distinct request once without
 * faults for reference answers (greedy); then submits the mixed jobs (short chat questions and ~4k-token
 * document QA, streamed over SSE or polled) while SIGKILLing random workers (each replaced at once) and
 * restarting Redis once. Every job must complete exactly once with its reference answer, and no state
 * key may be left. Writes bench/results/soak.json and prints the counts; exits 1 when a check fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { JobEvent } from '@lazyllm/contracts';
import { jobKeys } from '@lazyllm/jobs';
import { freePort } from '@lazyllm/redis-server';
import { Redis } from 'ioredis';
import { modelPath } from '../apps/shared/engine-settings';
import { buildApps, type AppBuild } from '../tests/e2e/support/app-build';
import { RestartableRedis } from '../tests/support/restartable-redis';
import { ServiceProcess } from '../tests/support/service-process';
import { type ClientOutcome, SoakClient } from './soak/soak-client';
import { type SoakRequest, soakRequests } from './soak/soak-workload';

interface Options {
  readonly quick: boolean;
  readonly jobs?: string;
  readonly documentJobs?: string;
  readonly kills?: string;
  readonly documentTokens?: string;
  readonly seed: string;
  readonly out: string;
}

const PREFIX = 'soak';
// A 4k-token prefill blocks a worker's event loop for seconds at a time on shared cores: the lock must
// outlast that (production default 30 s), yet be short enough that a killed worker's job returns soon.
const LOCK_MS = '15000';
const JOB_TTL_SECONDS = 120;

/** Deterministic randomness (mulberry32), so a run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

class Service {
  readonly workers: ServiceProcess[] = [];
  gateway!: ServiceProcess;
  kills = 0;
  private replacements = 0;

  constructor(
    private readonly build: AppBuild,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<void> {
    this.gateway = await ServiceProcess.start('gateway', this.build.entry('gateway'), this.env, /listening on/);
    await Promise.all(['prefill', 'prefill', 'decode', 'decode'].map((pool) => this.startWorker(pool as 'prefill' | 'decode')));
  }

  async startWorker(pool: 'prefill' | 'decode'): Promise<void> {
    const app = pool === 'prefill' ? 'prefill-worker' : 'decode-worker';
    const name = `${pool}-${++this.replacements}`;
    this.workers.push(await ServiceProcess.start(name, this.build.entry(app), this.env, pool === 'prefill' ? /PrefillProcessor.*ready/ : /DecodeProcessor.*ready/, 180_000));
  }

  /** SIGKILLs a random live worker and starts another of its pool in its place. */
  async killOne(rand: () => number): Promise<string> {
    const live = this.workers.filter((w) => w.alive);
    const victim = live[Math.floor(rand() * live.length)];
    await victim.kill();
    this.kills++;
    const pool = victim.name.startsWith('prefill') ? 'prefill' : 'decode';
    await this.startWorker(pool);
    return victim.name;
  }

  async stop(): Promise<(number | null)[]> {
    return Promise.all([this.gateway, ...this.workers.filter((w) => w.alive)].map((app) => app.stop()));
  }
}

interface JobPlan {
  readonly n: number;
  readonly request: SoakRequest;
  readonly streaming: boolean;
}

type JobOutcome = ClientOutcome & { readonly plan: JobPlan; readonly stored?: StoredStream };

/** Runs each plan as its own client; what Redis holds of a job's stream is read as soon as the job ends, before it can expire. */
async function runJobs(client: SoakClient, redis: Redis, plans: JobPlan[], deadline: number, onDone: () => void, tag: string): Promise<JobOutcome[]> {
  return Promise.all(
    plans.map(async (plan) => {
      try {
        const id = await client.submit(plan.request.body, `${tag}-${plan.n}`, deadline);
        const outcome = plan.streaming ? await client.stream(id, deadline) : await client.poll(id, deadline);
        return { ...outcome, plan, stored: await storedStream(redis, id) };
      } catch (err) {
        return { id: '', status: 'lost', error: (err as Error).message, reconnects: 0, plan };
      } finally {
        onDone();
      }
    }),
  );
}

/** Redis keys grouped by shape (ids replaced by *): how many, and the bytes they take (MEMORY USAGE), to show what is left after a run. */
async function keyShapes(redis: Redis): Promise<Record<string, { keys: number; bytes: number }>> {
  const shapes: Record<string, { keys: number; bytes: number }> = {};
  for (const key of await redis.keys('*')) {
    const shape = key
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '*')
      .replace(/[0-9a-f]{12,}/g, '*')
      .replace(/:\d+(?=:|$)/g, ':*');
    const entry = (shapes[shape] ??= { keys: 0, bytes: 0 });
    entry.keys++;
    entry.bytes += Number(await redis.memory('USAGE', key)) || 0;
  }
  return shapes;
}

/**
 * State keys left once the workers are done. A client sees its job's final event a moment before the
 * worker deletes the job's states, so the count is taken when no job is active, within a short grace.
 */
async function leftoverStateKeys(redis: Redis): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const active = (await redis.llen(`${PREFIX}:prefill:active`)) + (await redis.llen(`${PREFIX}:decode:active`));
    const keys = [...(await redis.keys(`${PREFIX}:state:*`)), ...(await redis.keys(`${PREFIX}:job:*:states`))];
    if ((active === 0 && keys.length === 0) || Date.now() > deadline) return keys;
    await sleep(500);
  }
}

/** What Redis itself holds of a job's stream: final events and token indices (a duplicate would show here even if no client saw it). */
interface StoredStream {
  readonly finals: number;
  readonly duplicateIndices: number;
}

async function storedStream(redis: Redis, id: string): Promise<StoredStream> {
  const entries = await redis.xrange(jobKeys(PREFIX, id).events, '-', '+');
  const seen = new Set<number>();
  let finals = 0;
  let duplicateIndices = 0;
  for (const [, fields] of entries) {
    const event = JSON.parse(fields[fields.indexOf('event') + 1]) as JobEvent;
    if (event.type !== 'token') finals++;
    else if (seen.has(event.index)) duplicateIndices++;
    else seen.add(event.index);
  }
  return { finals, duplicateIndices };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

async function main(options: Options): Promise<number> {
  const quick = options.quick;
  const totalJobs = Number(options.jobs ?? (quick ? 40 : 200));
  const documentJobs = Number(options.documentJobs ?? (quick ? 4 : 12));
  const killCount = Number(options.kills ?? (quick ? 4 : 12));
  const documentTokens = Number(options.documentTokens ?? (quick ? 1000 : 4000));
  const rand = random(Number(options.seed));
  const model = modelPath();

  const requests = soakRequests(model, quick ? 1 : 3, documentTokens);
  const short = requests.filter((r) => r.kind === 'short');
  const documents = requests.filter((r) => r.kind === 'document-qa');
  log(`${requests.length} distinct requests; document QA prompts of ${documents.map((d) => d.promptTokens).join(', ')} tokens`);

  const [build, redisServer] = await Promise.all([buildApps(), RestartableRedis.start()]);
  const port = await freePort();
  const env = { ...process.env, REDIS_URL: redisServer.url, MODEL_PATH: model, PORT: String(port), HOST: '127.0.0.1', QUEUE_PREFIX: PREFIX, THREADS: '1', NO_COLOR: '1', WORKER_LOCK_MS: LOCK_MS, JOB_TTL_SECONDS: String(JOB_TTL_SECONDS), PREFIX_CACHE_TTL_SECONDS: String(JOB_TTL_SECONDS) };
  const service = new Service(build, env);
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const client = new SoakClient(`http://127.0.0.1:${port}`);
  const started = Date.now();
  try {
    const memoryAtStart = await usedMemory(redis);
    await service.start();
    log(`service up: gateway on port ${port}, 2 prefill and 2 decode workers; Redis at ${redisServer.url}`);

    // Fault-free reference: every distinct request once.
    const referencePlans = requests.map((request, n): JobPlan => ({ n, request, streaming: false }));
    const reference = await runJobs(client, redis, referencePlans, Date.now() + 30 * 60_000, () => undefined, 'reference');
    const expected = new Map(reference.map((r) => [r.plan.request.key, r.result?.tokens]));
    const referenceFailures = reference.filter((r) => r.status !== 'completed');
    if (referenceFailures.length > 0) throw new Error(`the fault-free reference run failed: ${JSON.stringify(referenceFailures.map((r) => [r.plan.request.key, r.status, r.error]))}`);
    log(`reference run: ${reference.length} requests in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    // The soak: jobs in random order, half streamed; faults spread over the run by progress.
    const plans: JobPlan[] = Array.from({ length: totalJobs }, (_, n) => ({
      n,
      request: n < documentJobs ? documents[n % documents.length] : short[Math.floor(rand() * short.length)],
      streaming: rand() < 0.5,
    })).sort(() => rand() - 0.5);
    let finished = 0;
    const soakStarted = Date.now();
    const jobs = runJobs(client, redis, plans, Date.now() + 40 * 60_000, () => finished++, 'soak');
    const faults: string[] = [];
    const restartAt = Math.floor(killCount / 2);
    for (let k = 0; k < killCount; k++) {
      // Kill k lands once (k + 1) / (killCount + 2) of the jobs have finished, and a few seconds later.
      const target = Math.floor(((k + 1) * totalJobs) / (killCount + 2));
      while (finished < target) await sleep(200);
      await sleep(1000 + rand() * 3000);
      if (k === restartAt) {
        const waiting = (await redis.llen(`${PREFIX}:prefill:wait`)) + (await redis.llen(`${PREFIX}:decode:wait`));
        const active = (await redis.llen(`${PREFIX}:prefill:active`)) + (await redis.llen(`${PREFIX}:decode:active`));
        await redisServer.restart(2000);
        faults.push(`redis restart (${waiting} waiting, ${active} running)`);
        log(`Redis restarted with ${waiting} jobs waiting and ${active} running (${finished}/${totalJobs} finished)`);
      }
      const victim = await service.killOne(rand);
      faults.push(`SIGKILL ${victim}`);
      log(`SIGKILL ${victim} (${finished}/${totalJobs} finished)`);
    }
    const outcomes = await jobs;
    const soakSeconds = (Date.now() - soakStarted) / 1000;
    log(`all clients done in ${soakSeconds.toFixed(0)} s`);

    // Checks, from what clients saw and from what Redis holds.
    let lost = 0;
    let duplicated = 0;
    let wrongAnswer = 0;
    let failed = 0;
    const problems: string[] = [];
    for (const outcome of outcomes) {
      const { plan } = outcome;
      if (outcome.status === 'lost') {
        lost++;
        problems.push(`job ${plan.n} (${outcome.id}) lost: ${outcome.error ?? 'did not end in time'}`);
        continue;
      }
      if (outcome.status !== 'completed') {
        failed++;
        problems.push(`job ${plan.n} (${outcome.id}) ${outcome.status}: ${outcome.error}`);
        continue;
      }
      const stored = outcome.stored ?? { finals: 0, duplicateIndices: 0 };
      const streamedTwice = outcome.streamedIndices !== undefined && (outcome.finalEvents !== 1 || outcome.streamedIndices.some((index, i) => index !== i));
      if (stored.finals !== 1 || stored.duplicateIndices > 0 || streamedTwice) {
        duplicated++;
        problems.push(`job ${plan.n} (${outcome.id}) not exactly once: ${JSON.stringify({ ...stored, streamed: outcome.streamedIndices?.length, finalEvents: outcome.finalEvents })}`);
      }
      if (JSON.stringify(outcome.result?.tokens) !== JSON.stringify(expected.get(plan.request.key))) {
        wrongAnswer++;
        problems.push(`job ${plan.n} (${outcome.id}) answer differs from the fault-free run`);
      }
    }
    const leakedStateKeys = await leftoverStateKeys(redis);
    const jobKeyNames = await redis.keys(`${PREFIX}:job:*`);
    const withoutTtl = (await Promise.all(jobKeyNames.map(async (key) => ((await redis.ttl(key)) < 0 ? key : undefined)))).filter((key) => key !== undefined);
    const memoryAfterRun = await usedMemory(redis);
    const exitCodes = await service.stop();
    // The finished jobs' records expire after JOB_TTL_SECONDS, and the document prefixes (a cache, up to
    // 2 GiB by default) were given the same TTL here; memory is measured again once they have expired.
    log(`waiting ${JOB_TTL_SECONDS} s for the finished jobs' records and the cached document prefixes to expire`);
    await sleep((JOB_TTL_SECONDS + 5) * 1000);
    const jobKeysLeft = (await redis.keys(`${PREFIX}:job:*`)).length;
    const memoryAfterTtl = await usedMemory(redis);
    const keysAfterTtl = await keyShapes(redis);

    const counts = {
      jobs: totalJobs,
      documentQaJobs: documentJobs,
      streamedJobs: outcomes.filter((o) => o.plan.streaming).length,
      completed: outcomes.filter((o) => o.status === 'completed').length,
      lost,
      failed,
      duplicated,
      wrongAnswer,
      leakedStateKeys: leakedStateKeys.length,
      jobKeysWithoutTtl: withoutTtl.length,
      workerKills: service.kills,
      redisRestarts: faults.filter((f) => f.startsWith('redis')).length,
      streamReconnects: outcomes.reduce((sum, o) => sum + Math.max(0, o.reconnects), 0),
      cleanExits: exitCodes.filter((code) => code === 0).length,
      processesStopped: exitCodes.length,
    };
    const report = {
      mode: quick ? 'quick' : 'full',
      when: new Date().toISOString(),
      model: model.split('/').pop(),
      setup: { prefillWorkers: 2, decodeWorkers: 2, threadsPerWorker: 1, workerLockMs: Number(LOCK_MS), jobTtlSeconds: JOB_TTL_SECONDS, prefixCacheTtlSeconds: JOB_TTL_SECONDS, documentPromptTokens: documents.map((d) => d.promptTokens), distinctRequests: requests.length },
      counts,
      seconds: { reference: (soakStarted - started) / 1000, soak: soakSeconds },
      redisMemoryBytes: { atStart: memoryAtStart, afterRun: memoryAfterRun, afterJobTtl: memoryAfterTtl, jobKeysLeftAfterTtl: jobKeysLeft, keysAfterTtl },
      faults,
      problems,
      leakedStateKeys,
    };
    const out = resolve(options.out);
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(counts, null, 2));
    console.log(`Redis memory: ${memoryAtStart} bytes at start, ${memoryAfterRun} after the run, ${memoryAfterTtl} once the finished jobs' records expired; largest key shapes then:`);
    for (const [shape, { keys, bytes }] of Object.entries(keysAfterTtl).sort(([, a], [, b]) => b.bytes - a.bytes).slice(0, 6)) console.log(`  ${shape}: ${keys} keys, ${bytes} bytes`);
    for (const problem of problems.slice(0, 30)) console.log(`  ${problem}`);
    for (const key of leakedStateKeys.slice(0, 10)) console.log(`  state key left: ${key}`);
    console.log(`written to ${out}`);
    const ok = lost === 0 && failed === 0 && duplicated === 0 && wrongAnswer === 0 && leakedStateKeys.length === 0 && withoutTtl.length === 0 && counts.cleanExits === counts.processesStopped;
    return ok ? 0 : 1;
  } finally {
    await Promise.all([service.gateway, ...service.workers].filter((app) => app?.alive).map((app) => app.kill()));
    redis.disconnect();
    await redisServer.stop();
    build.remove();
  }
}

const program = new Command('soak')
  .option('--quick', 'a short run: 40 jobs, 1k-token documents, 4 kills', false)
  .option('--jobs <n>', 'jobs in the soak (default 200, quick 40)')
  .option('--document-jobs <n>', 'of which document QA (default 12, quick 4)')
  .option('--kills <n>', 'worker SIGKILLs (default 12, quick 4)')
  .option('--document-tokens <n>', 'document QA prompt size (default 4000, quick 1000)')
  .option('--seed <n>', 'random seed', '7')
  .option('--out <path>', 'where to write the report', 'bench/results/soak.json')
  .parse();

main(program.opts<Options>()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
