/**
 * Engine benchmark: our engine against llama.cpp (the reference) on the same machine, model, thread
 * count and prompt token ids. TTFT at 512-4096 prompt tokens, decode tokens/s, peak RSS at 4096 tokens.
 *
 *   npm run bench:engine [-- --quick] [--threads N] [--rss-cap-gb G]
 *
 * Prints a table with the targets' verdicts and writes bench/results/engine.json and engine.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readGguf, resolveModelPath, Tokenizer } from '../libs/engine/src';
import { engineChartSpec } from './engine/chart';
import { measureLlamaCpp } from './engine/llama-cpp-figures';
import { measureOurEngine } from './engine/our-engine-figures';
import type { BenchPlan } from './engine/plan';
import { engineTable } from './engine/report-table';
import { engineResultsJson } from './engine/results-json';
import { failureNotes, summarize } from './engine/summary';
import { checkTargets, TARGETS } from './engine/targets';
import { benchLog, commandLine, integerOption } from './lib/cli';
import { machineInfo } from './lib/machine';
import { renderVegaLitePng } from './lib/plot';
import { nqPromptTokens } from './lib/prompts';
import { BYTES_PER_GB } from './lib/units';

const PROMPT_LENGTHS = [512, 1024, 2048, 4096];
const DECODE_PROMPT_TOKENS = 512;
/** "A few" decode steps: enough to include the decode path's allocations in the peak. */
const PEAK_RSS_DECODE_STEPS = 4;
const PROMPT_SOURCE = 'NQ-open dev (/work/shared/data/nq-open/dev.jsonl.gz): gold passages ctxs[0].text joined by blank lines, cut to N tokens';
const RESULTS_DIR = resolve(__dirname, 'results');

interface Options {
  readonly quick: boolean;
  readonly threads: number;
  readonly rssCapBytes: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      'rss-cap-gb': { type: 'string' },
    },
  });
  const threads = integerOption('threads', values.threads, 1);
  // Half the machine by default: far beyond the target, yet the rest stays free for other work (no swap to absorb it).
  const rssCapBytes = values['rss-cap-gb'] === undefined ? totalmem() / 2 : Number(values['rss-cap-gb']) * BYTES_PER_GB;
  if (!(rssCapBytes > 0)) throw new Error(`--rss-cap-gb must be a positive number, got ${values['rss-cap-gb']}`);
  return { quick: values.quick, threads, rssCapBytes };
}

const log = benchLog('bench:engine');

async function main(): Promise<void> {
  const opts = options();
  const date = new Date();
  const machine = machineInfo();
  const modelPath = resolveModelPath();
  const tokenizer = Tokenizer.fromGguf(readGguf(modelPath));
  const plan: BenchPlan = {
    modelPath,
    threads: opts.threads,
    prompts: nqPromptTokens((text) => tokenizer.encode(text), PROMPT_LENGTHS),
    repetitions: { warmups: 1, repeats: opts.quick ? 1 : 3 },
    decodePromptTokens: DECODE_PROMPT_TOKENS,
    decodeSteps: opts.quick ? 16 : 64,
    peakRssPromptTokens: TARGETS.peakRss.promptTokens,
    peakRssDecodeSteps: PEAK_RSS_DECODE_STEPS,
    rssCapBytes: opts.rssCapBytes,
  };
  log(`${plan.threads} threads, ${plan.repetitions.repeats} timed run(s) after ${plan.repetitions.warmups} warm-up, load average ${machine.loadAverage.join(' ')}`);

  const llamaCpp = await measureLlamaCpp(plan, log);
  const ours = await measureOurEngine(plan, log);
  const reference = { figures: llamaCpp, summary: summarize(llamaCpp, plan) };
  const our = { figures: ours, summary: summarize(ours, plan) };
  const checks = checkTargets(reference.summary, our.summary);

  console.log(`\nEngine benchmark: ${machine.cpuModel}, ${plan.threads} threads, ${opts.quick ? 'quick' : 'full'} run, medians of ${plan.repetitions.repeats}\n`);
  console.log(engineTable(plan, reference.summary, our.summary, checks));
  for (const [engine, figures] of [['llama.cpp', llamaCpp], ['ours', ours]] as const) {
    for (const note of failureNotes(figures)) console.log(`${engine} failed, ${note}`);
  }

  mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonPath = resolve(RESULTS_DIR, 'engine.json');
  const results = engineResultsJson({
    date,
    command: commandLine(),
    argv: process.argv,
    quick: opts.quick,
    plan,
    promptSource: PROMPT_SOURCE,
    machine,
    llamaCppInfo: llamaCpp.info,
    reference,
    ours: our,
    checks,
  });
  writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');
  const pngPath = resolve(RESULTS_DIR, 'engine.png');
  await renderVegaLitePng(
    engineChartSpec({
      reference: reference.summary,
      ours: our.summary,
      decodePromptTokens: plan.decodePromptTokens,
      decodeSteps: plan.decodeSteps,
      title: `Our engine vs llama.cpp ${llamaCpp.info.llamaCppRelease ?? ''}, ${plan.threads} threads`,
      subtitle: `${machine.cpuModel}, ${machine.cores} cores; median of ${plan.repetitions.repeats} run(s); ${date.toISOString().slice(0, 10)}`,
    }),
    pngPath,
  );
  console.log(`\nwrote ${relative(process.cwd(), jsonPath)} and ${relative(process.cwd(), pngPath)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
