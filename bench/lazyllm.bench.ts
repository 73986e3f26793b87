/**
 * LazyLLM on multi-document QA (NQ-open, gold passage among distractors): accuracy, agreement with
 * the no-drop run, TTFT speedup (same run) and compute share, for the default schedule against
 * no-drop at 10, 20 and 40 documents, and at 40 documents a sweep of schedules with the random and
 * static pruning baselines at matched compute.
 *
 *   npm run bench:lazyllm [-- --quick] [--minutes M] [--threads N] [--doc-count-questions N] [--sweep-questions N]
 *
 * Results are cached per (question, configuration) under bench/results/cache/lazyllm, so a run can
 * stop at any time (--minutes) and a later one resumes or extends it; --minutes 0 only re-summarizes.
 * Prints tables and writes bench/results/lazyllm.json and lazyllm.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MULTI_DOC_PROMPT_VERSION } from '../libs/datasets/src';
import { LlamaModel, NO_PRUNING } from '../libs/engine/src';
import { ANSWER_PROTOCOL, MAX_ANSWER_TOKENS, runAnswer } from './lazyllm/answer-run';
import { frontierChartSpec } from './lazyllm/chart';
import { defaultConfig, NO_DROP, RANDOM_SEED } from './lazyllm/configs';
import { matchedComparisons, paretoFrontier } from './lazyllm/frontier';
import { experiments, FULL, PlanSize, QUICK, STATIC_MATCH_TOKENS, sweepConfigs } from './lazyllm/plan';
import { PROMPT_MODE, questionSet, SEED } from './lazyllm/question-set';
import { experimentTable, targetsTable } from './lazyllm/report-table';
import { ResultCache } from './lazyllm/result-cache';
import { lazyResultsJson } from './lazyllm/results-json';
import { runPlan } from './lazyllm/runner';
import { summarizeExperiment } from './lazyllm/summary';
import { checkTargets } from './lazyllm/targets';
import { benchLog, commandLine, integerOption } from './lib/cli';
import { machineInfo } from './lib/machine';
import { renderVegaLitePng } from './lib/plot';

const RESULTS_DIR = resolve(__dirname, 'results');
const CACHE_DIR = resolve(RESULTS_DIR, 'cache', 'lazyllm');

interface Options {
  readonly quick: boolean;
  readonly minutes: number;
  readonly threads: number;
  readonly size: PlanSize;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      minutes: { type: 'string', default: 'Infinity' },
      threads: { type: 'string', default: '2' },
      'doc-count-questions': { type: 'string' },
      'sweep-questions': { type: 'string' },
    },
  });
  const count = (name: string, value: string | undefined, fallback: number) => (value === undefined ? fallback : integerOption(name, value, 0));
  const base = values.quick ? QUICK : FULL;
  const minutes = Number(values.minutes);
  if (!(minutes >= 0)) throw new Error(`--minutes must be a number >= 0, got ${values.minutes}`);
  const threads = integerOption('threads', values.threads, 1);
  return {
    quick: values.quick,
    minutes,
    threads,
    size: {
      docCountQuestions: count('doc-count-questions', values['doc-count-questions'], base.docCountQuestions),
      sweepQuestions: count('sweep-questions', values['sweep-questions'], base.sweepQuestions),
    },
  };
}

const log = benchLog('bench:lazyllm');

async function main(): Promise<void> {
  const opts = options();
  const date = new Date();
  const machine = machineInfo();
  const model = await LlamaModel.load({ threads: opts.threads });
  const { tokenizer, questionAt, prompt } = questionSet(model);
  const cache = new ResultCache(CACHE_DIR, { model: model.identity, promptVersion: MULTI_DOC_PROMPT_VERSION, promptMode: PROMPT_MODE, answerProtocol: ANSWER_PROTOCOL, seed: SEED });
  const layers = model.config.layerCount;
  const byDefault = defaultConfig(layers);
  const plan = experiments(opts.size, layers);
  log(`${opts.threads} threads, load average ${machine.loadAverage.join(' ')}; plan: ${plan.map((e) => `${e.name} x ${e.questions} questions (${e.configs.length} configurations)`).join('; ')}`);

  let outcome = { runs: 0, complete: true };
  if (opts.minutes > 0) {
    // The first prefill of a process pays for session warm-up; it must not land in anyone's TTFT.
    await runAnswer(model, tokenizer, prompt(questionAt(0), 10).tokens, NO_PRUNING);
    outcome = await runPlan(plan, { model, tokenizer, cache, session: date.toISOString(), threads: opts.threads, questionAt, prompt, deadline: date.getTime() + opts.minutes * 60_000, log });
  }
  await model.release();

  const summaries = plan.map((e) => summarizeExperiment(e, cache, questionAt));
  const sweep = summaries[summaries.length - 1];
  const docCounts = summaries.slice(0, -1);
  const sweepSet = sweepConfigs(layers);
  const frontier = paretoFrontier(sweep.configs);
  const comparisons = matchedComparisons(sweep.configs, sweepSet.matches);
  const at40 = docCounts.find((e) => e.documents === sweep.documents);
  const targets = checkTargets(
    at40?.configs.find((c) => c.configId === byDefault.id),
    at40?.configs.find((c) => c.configId === NO_DROP.id),
    comparisons,
    frontier,
    [...sweepSet.random, ...sweepSet.static].map((c) => c.id),
  );

  console.log(`\nLazyLLM on NQ-open multi-document QA: ${machine.cpuModel}, ${opts.threads} threads, ${opts.quick ? 'quick' : 'full'} run${outcome.complete ? '' : ' (stopped at the time limit: partial)'}, ${outcome.runs} runs this session`);
  console.log(`Default schedule: ${byDefault.id}. accuracy = gold answer in output; agree = same normalized answer as no-drop; speedup = median per-question no-drop TTFT / TTFT, same session.\n`);
  for (const e of docCounts) console.log(`${e.name} (${e.questionsPlanned} planned)\n${experimentTable(e, byDefault.id)}\n`);
  console.log(`${sweep.name} (${sweep.questionsPlanned} planned; * = on the accuracy/speedup frontier)\n${experimentTable(sweep, byDefault.id, frontier)}\n`);
  if (targets.length > 0) console.log(`${targetsTable(targets)}\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonPath = resolve(RESULTS_DIR, 'lazyllm.json');
  const results = lazyResultsJson({
    date,
    command: commandLine(),
    quick: opts.quick,
    complete: outcome.complete,
    runsThisSession: outcome.runs,
    machine,
    model: { path: model.path, identity: model.identity, layers },
    threads: opts.threads,
    protocol: {
      data: 'NQ-open dev (../shared/data/nq-open/dev.jsonl.gz): gold passage ctxs[0] among gold passages of other questions (none containing an answer), seeded position',
      seed: SEED,
      promptVersion: MULTI_DOC_PROMPT_VERSION,
      promptMode: PROMPT_MODE,
      answer: ANSWER_PROTOCOL,
      maxAnswerTokens: MAX_ANSWER_TOKENS,
      accuracy: 'some normalized gold answer is a substring of the normalized output (Lost in the Middle metric)',
      agreement: 'normalized answer equal to the no-drop answer for the same question',
      ttft: 'prefill + first token sampling, wall clock; speedup = median over questions of no-drop TTFT / configuration TTFT, both timed in the same session, configurations of a question run back to back in rotated order',
      computeShare: 'prefill: (token, layer) pairs computed / (prompt tokens x layers); generation: the same over the final state, generated tokens included',
      randomSeed: RANDOM_SEED,
      staticMatchedAtPromptTokens: STATIC_MATCH_TOKENS,
    },
    defaultConfig: byDefault.id,
    docCounts,
    sweep,
    frontier,
    comparisons,
    targets,
  });
  writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');
  const pngPath = resolve(RESULTS_DIR, 'lazyllm.png');
  await renderVegaLitePng(
    frontierChartSpec({
      figures: sweep.configs,
      defaultId: byDefault.id,
      title: `LazyLLM vs random and static pruning: NQ-open, ${sweep.documents} documents, SmolLM2-135M`,
      subtitle: [
        `${Math.max(...sweep.configs.map((c) => c.questions))} questions (median ${Math.round(sweep.configs[0].medianPromptTokens)} prompt tokens), ${opts.threads} threads, ${machine.cpuModel}; ${date.toISOString().slice(0, 10)}`,
      ],
    }),
    pngPath,
  );
  console.log(`wrote ${relative(process.cwd(), jsonPath)} and ${relative(process.cwd(), pngPath)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
