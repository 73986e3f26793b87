/**
 * Handoff benchmark (issue 4): what moving a generation state from the prefill pool to the decode pool
 * costs, what the compact (f16 K/V) state does to answers, and what scaling the prefill pool alone buys.
 *
 *   npm run bench:handoff [-- --parts cost,accuracy,throughput] [--threads N] [--repeats R] [--rounds K]
 *
 * 1. cost: a 4096-token prompt prefilled with the default LazyLLM schedule and with none; each state
 *    serialized (lossless and compact), stored and loaded through RedisStateStore on a local
 *    redis-server, resumed; every phase as a share of the TTFT measured in the same run.
 * 2. accuracy: greedy answers to document questions continued from the lossless and the compact state.
 * 3. throughput: a burst of document-QA jobs through the gateway with 1 and then 2 prefill workers.
 *
 * Prints a table per part and writes bench/results/handoff.json and handoff.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { relative, resolve } from 'node:path';
import type { GenerationOptions } from '../libs/contracts/src';
import { ChatTemplate, defaultLazySchedule, Generation, LlamaModel, NO_PRUNING, readGguf, resolveModelPath, Tokenizer } from '../libs/engine/src';
import { readHandoffSettings, RedisStateStore } from '../libs/handoff/src';
import { createRedisClient } from '../libs/jobs/src';
import { AppBuild, buildApps } from '../tests/e2e/support/app-build';
import { startTestRedis } from '../tests/support/redis';
import { handoffChartSpec } from './handoff/chart';
import { benchLog, commandLine } from './lib/cli';
import { CompactAccuracy, measureCompactAccuracy } from './handoff/compact-accuracy';
import { HandoffCost, measureHandoffCost } from './handoff/handoff-cost';
import { HandoffBenchOptions, readOptions } from './handoff/options';
import { BurstFigures, measureBursts } from './handoff/pool-throughput';
import { documentQaJobs, QaJob } from './handoff/qa-jobs';
import { compactAccuracyTable, divergenceTable, handoffCostTable, persistenceTable, throughputTable } from './handoff/report-tables';
import { handoffResultsJson } from './handoff/results-json';
import { ServiceCluster } from './handoff/service-cluster';
import { MachineInfo, machineInfo } from './lib/machine';
import { renderVegaLitePng } from './lib/plot';
import { nqPromptTokens } from './lib/prompts';

/** The target: the compact handoff costs at most this share of TTFT. */
const TARGET_SHARE = 0.05;
const COST_PROMPT_TOKENS = 4096;
const COST_PROMPT_SOURCE = `NQ-open dev gold passages joined by blank lines, cut to ${COST_PROMPT_TOKENS} tokens (bench/lib/prompts.ts), no chat template`;
/** Passages per document question: 1.1k-1.7k prompt tokens with the chat template. */
const QA_DOCUMENTS = 10;
const QA_SEED = 1;
const QA_SOURCE = `NQ-open dev questions from 0, each with its gold passage among ${QA_DOCUMENTS - 1} distractors (buildMultiDocQa, seed ${QA_SEED}), document-QA prompt in the chat template`;
/** Warm-up jobs come from questions the measured ones never use. */
const WARMUP_FIRST_QUESTION = 1000;
const ANSWER_TOKENS = 24;
const BURST_NEW_TOKENS = 16;
const BURST_TIMEOUT_MS = 40 * 60_000;
const RESULTS_DIR = resolve(__dirname, 'results');

const log = benchLog('bench:handoff');

const greedy = (maxTokens: number): GenerationOptions => ({ maxTokens, temperature: 0, topK: 0, topP: 1, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f32' });

async function measureCost(model: LlamaModel, tokenizer: Tokenizer, opts: HandoffBenchOptions): Promise<{ redisVersion: string; states: HandoffCost[] }> {
  const prompt = nqPromptTokens((text) => tokenizer.encode(text), [COST_PROMPT_TOKENS]).get(COST_PROMPT_TOKENS) ?? [];
  const redis = await startTestRedis();
  const client = createRedisClient(redis.url);
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
    const store = new RedisStateStore(client, 'bench-handoff', readHandoffSettings());
    const states = await measureHandoffCost(
      model,
      store,
      {
        prompt,
        schedules: [{ name: 'default', schedule: defaultLazySchedule(model.config.layerCount) }, { name: 'none', schedule: NO_PRUNING }],
        precisions: ['f32', 'f16'],
        runs: opts.repeats,
        persistence: {
          description: 'CONFIG SET appendonly no, then yes again (which makes Redis rewrite its AOF)',
          disable: async () => void (await client.config('SET', 'appendonly', 'no')),
          enable: async () => void (await client.config('SET', 'appendonly', 'yes')),
        },
      },
      log,
    );
    return { redisVersion, states };
  } finally {
    await client.quit();
    await redis.stop();
  }
}

async function measureThroughput(build: AppBuild, opts: HandoffBenchOptions, jobs: readonly QaJob[], request: Record<string, unknown>): Promise<BurstFigures[]> {
  log(`starting redis-server, the gateway and 1 decode worker (THREADS=${opts.workerThreads})`);
  const cluster = await ServiceCluster.start(build, opts.workerThreads, 1);
  try {
    const rounds = Array.from({ length: opts.rounds }, (_, round) => (round % 2 === 0 ? [1, 2] : [2, 1]));
    const warmups = documentQaJobs({ firstQuestion: WARMUP_FIRST_QUESTION, count: 2, documents: QA_DOCUMENTS, seed: QA_SEED });
    return await measureBursts(cluster, { jobs, warmups, request, rounds, timeoutMs: BURST_TIMEOUT_MS }, log);
  } finally {
    const codes = await cluster.stop();
    if (codes.some((code) => code !== 0)) log(`apps exited with codes ${codes.join(', ')}`);
  }
}

interface Figures {
  cost?: { redisVersion: string; states: HandoffCost[] };
  accuracy?: CompactAccuracy;
  bursts?: BurstFigures[];
}

/** What stays the same for the whole run, recorded with the figures. */
interface RunInfo {
  readonly opts: HandoffBenchOptions;
  readonly date: Date;
  readonly machine: MachineInfo;
  readonly modelPath: string;
}

const BURST_REQUEST = { maxTokens: BURST_NEW_TOKENS, temperature: 0 };

function printCost(cost: NonNullable<Figures['cost']>, opts: HandoffBenchOptions): void {
  console.log(`\n1. Handoff cost at ${COST_PROMPT_TOKENS} prompt tokens, ${opts.threads} threads, Redis ${cost.redisVersion} (AOF on); ${opts.repeats} runs of a prefill and its handoffs: medians, and the median of each run's handoff over its own TTFT; target: compact handoff <= ${TARGET_SHARE * 100}% of TTFT\n`);
  console.log(handoffCostTable(cost.states));
  console.log(`\nThe same states' store and load with the Redis server's append-only file off (timed after the runs above):\n`);
  console.log(persistenceTable(cost.states));
}

function printAccuracy(accuracy: CompactAccuracy): void {
  console.log(`\n2. Compact handoff and answers: ${accuracy.comparisons.length} document questions, greedy, up to ${ANSWER_TOKENS} tokens, default LazyLLM schedule\n`);
  console.log(compactAccuracyTable(accuracy));
  if (accuracy.comparisons.some((c) => !c.identical)) console.log(`\n${divergenceTable(accuracy)}`);
}

function printThroughput(bursts: readonly BurstFigures[], opts: HandoffBenchOptions): void {
  console.log(`\n3. Bursts of ${opts.burstJobs} document-QA jobs (${BURST_NEW_TOKENS} new tokens, greedy, lossless handoff) over HTTP, THREADS=${opts.workerThreads} per worker process\n`);
  console.log(throughputTable(bursts));
}

/** Written after every part, so a part that fails leaves the figures of those before it. */
async function writeResults(run: RunInfo, figures: Figures): Promise<void> {
  const { opts, machine } = run;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonPath = resolve(RESULTS_DIR, 'handoff.json');
  const results = handoffResultsJson({
    date: run.date,
    command: commandLine(),
    argv: process.argv,
    options: opts,
    machine,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    modelPath: run.modelPath,
    targetShare: TARGET_SHARE,
    handoffSettings: readHandoffSettings(),
    ...(figures.cost && { cost: { promptSource: COST_PROMPT_SOURCE, threads: opts.threads, ...figures.cost } }),
    ...(figures.accuracy && { accuracy: { promptSource: QA_SOURCE, threads: opts.threads, result: figures.accuracy } }),
    ...(figures.bursts && { throughput: { promptSource: QA_SOURCE, request: BURST_REQUEST, workerThreads: opts.workerThreads, bursts: figures.bursts } }),
  });
  writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');
  const pngPath = resolve(RESULTS_DIR, 'handoff.png');
  await renderVegaLitePng(
    handoffChartSpec({
      costs: figures.cost?.states ?? [],
      bursts: figures.bursts ?? [],
      targetShare: TARGET_SHARE,
      title: 'Generation-state handoff',
      subtitle: `${machine.cpuModel}, ${machine.cores} cores shared with other work; ${run.date.toISOString().slice(0, 10)}`,
    }),
    pngPath,
  );
  log(`wrote ${relative(process.cwd(), jsonPath)} and ${relative(process.cwd(), pngPath)}`);
}

async function main(): Promise<void> {
  const opts = readOptions();
  const run: RunInfo = { opts, date: new Date(), machine: machineInfo(), modelPath: resolveModelPath() };
  const gguf = readGguf(run.modelPath);
  const tokenizer = Tokenizer.fromGguf(gguf);
  const template = ChatTemplate.fromGguf(gguf);
  const qaJobs = documentQaJobs({ firstQuestion: 0, count: Math.max(opts.qaPrompts, opts.burstJobs), documents: QA_DOCUMENTS, seed: QA_SEED });
  console.log(`Handoff benchmark: ${run.machine.cpuModel}, ${run.machine.cores} cores shared with other benchmarks, load average ${run.machine.loadAverage.join(' ')} at the start`);

  let build: AppBuild | undefined;
  if (opts.parts.includes('throughput')) {
    // First, so that a tree that does not compile fails the run at once, not after the other parts.
    log('building the apps');
    build = await buildApps();
  }
  try {
    await measureParts(run, tokenizer, template, qaJobs, build);
  } catch (err) {
    build?.remove();
    throw err;
  }
  console.log(`\nload average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
}

/** The parts in order; the throughput part takes over `build`. */
async function measureParts(run: RunInfo, tokenizer: Tokenizer, template: ChatTemplate, qaJobs: readonly QaJob[], build: AppBuild | undefined): Promise<void> {
  const { opts } = run;
  const figures: Figures = {};
  if (opts.parts.includes('cost') || opts.parts.includes('accuracy')) {
    const model = await LlamaModel.load({ modelPath: run.modelPath, threads: opts.threads });
    try {
      // Pays for the sessions' first runs before anything is timed.
      await Generation.start(model, tokenizer.encode('Warm-up.'), { maxTokens: 1 });
      if (opts.parts.includes('cost')) {
        figures.cost = await measureCost(model, tokenizer, opts);
        printCost(figures.cost, opts);
        await writeResults(run, figures);
      }
      if (opts.parts.includes('accuracy')) {
        figures.accuracy = await measureCompactAccuracy(model, tokenizer, template, qaJobs.slice(0, opts.qaPrompts), greedy(ANSWER_TOKENS), log);
        printAccuracy(figures.accuracy);
        await writeResults(run, figures);
      }
    } finally {
      await model.release();
    }
  }
  if (build) {
    figures.bursts = await measureThroughput(build, opts, qaJobs.slice(0, opts.burstJobs), BURST_REQUEST);
    printThroughput(figures.bursts, opts);
    await writeResults(run, figures);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
