/**
 * How close LazyLLM and the two baselines stay to the no-drop run, at matched compute and at matched
 * TTFT, measured on next-token distributions rather than on answers. It complements bench:lazyllm,
 * whose accuracy and answer agreement are too coarse at a 135M model's 15% score to separate the
 * methods: here every question gives a paired, continuous figure per configuration.
 *
 *   npm run bench:lazyllm-fidelity [-- --questions 50] [--quick] [--minutes M] [--threads N]
 *
 * Per question (40 documents; the same questions and prompts as bench:lazyllm): no-drop's greedy
 * answer, then each configuration runs the prompt and is fed that answer one decode step at a time
 * (pruning and reviving as in generation), and its distribution at every position is compared with
 * no-drop's. Results go to bench/results/lazyllm-fidelity.json after every question; a rerun resumes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MULTI_DOC_PROMPT_VERSION } from '../libs/datasets/src';
import { LlamaModel } from '../libs/engine/src';
import { ANSWER_PROTOCOL } from './lazyllm/answer-run';
import { BenchConfig, defaultConfig, NO_DROP } from './lazyllm/configs';
import { MeanInterval, meanInterval } from './lazyllm/divergence';
import { fidelityChartSpec } from './lazyllm/fidelity-chart';
import { Fidelity, fidelityRun, referenceFidelity, referenceRun } from './lazyllm/fidelity-run';
import { SWEEP_DOCUMENTS, sweepConfigs } from './lazyllm/plan';
import { PROMPT_MODE, questionSet, SEED } from './lazyllm/question-set';
import { benchLog, commandLine, integerOption } from './lib/cli';
import { machineInfo } from './lib/machine';
import { mean } from './lib/stats';
import { renderVegaLitePng } from './lib/plot';
import { formatTable } from './lib/table';

const RESULTS_PATH = resolve(__dirname, 'results', 'lazyllm-fidelity.json');
const PNG_PATH = resolve(__dirname, 'results', 'lazyllm-fidelity.png');
const LAZYLLM_RESULTS_PATH = resolve(__dirname, 'results', 'lazyllm.json');
const log = benchLog('bench:lazyllm-fidelity');

interface QuestionResult {
  readonly questionIndex: number;
  readonly promptTokens: number;
  readonly answerPositions: number;
  readonly fidelity: Record<string, Fidelity>;
}

/** Everything a stored result depends on besides the question and the configuration. */
interface Identity {
  readonly model: string;
  readonly documents: number;
  readonly promptVersion: string;
  readonly promptMode: string;
  readonly answerProtocol: string;
  readonly seed: number;
}

interface ConfigSummary {
  readonly configId: string;
  readonly family: BenchConfig['family'];
  readonly prefillShare: number;
  readonly firstTokenKl: MeanInterval;
  readonly meanKl: MeanInterval;
  readonly top1Agreement: MeanInterval;
  readonly meanNll: MeanInterval;
}

/** A baseline minus its paired LazyLLM schedule, per question: positive favours LazyLLM. */
interface PairedComparison extends Pair {
  readonly firstTokenKlGain: MeanInterval;
  readonly meanKlGain: MeanInterval;
  readonly top1AgreementGain: MeanInterval;
}

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      questions: { type: 'string', default: '50' },
      minutes: { type: 'string', default: 'Infinity' },
      threads: { type: 'string', default: '2' },
    },
  });
  const minutes = Number(values.minutes);
  if (!(minutes >= 0)) throw new Error(`--minutes must be a number >= 0, got ${values.minutes}`);
  return {
    questions: values.quick ? 3 : integerOption('questions', values.questions, 1),
    minutes,
    threads: integerOption('threads', values.threads, 1),
  };
}

/** Which LazyLLM schedule a baseline is compared with: same (token, layer) share, or nearest TTFT speedup in bench:lazyllm. */
interface Pair {
  readonly lazy: string;
  readonly baseline: string;
  readonly matchedBy: 'compute' | 'ttft';
}

/**
 * Static against every LazyLLM schedule it is matched with by compute and, since static is faster at
 * equal compute, against the LazyLLM schedule nearest to it in measured TTFT speedup; random at the
 * default only (it fails at every point in bench:lazyllm).
 */
function configurations(layers: number, speedups: ReadonlyMap<string, number>): { configs: BenchConfig[]; pairs: Pair[] } {
  const sweep = sweepConfigs(layers);
  const byDefault = defaultConfig(layers).id;
  const byId = new Map([...sweep.lazy, ...sweep.random, ...sweep.static].map((c) => [c.id, c]));
  const pairs: Pair[] = sweep.matches.flatMap((m) => [
    { lazy: m.lazy, baseline: m.static, matchedBy: 'compute' as const },
    ...(m.lazy === byDefault ? [{ lazy: m.lazy, baseline: m.random, matchedBy: 'compute' as const }] : []),
  ]);
  const timed = sweep.lazy.filter((c) => speedups.has(c.id));
  for (const s of sweep.static) {
    const speedup = speedups.get(s.id);
    if (speedup === undefined || timed.length === 0) continue;
    const nearest = timed.reduce((a, b) => (Math.abs(speedups.get(b.id)! - speedup) < Math.abs(speedups.get(a.id)! - speedup) ? b : a));
    pairs.push({ lazy: nearest.id, baseline: s.id, matchedBy: 'ttft' });
  }
  const ids = [...new Set(pairs.flatMap((p) => [p.lazy, p.baseline]))];
  return { configs: ids.map((id) => byId.get(id)!), pairs };
}

/** TTFT speedups of the sweep's configurations as bench:lazyllm measured them, if it has run. */
function measuredSpeedups(): Map<string, number> {
  if (!existsSync(LAZYLLM_RESULTS_PATH)) return new Map();
  const results = JSON.parse(readFileSync(LAZYLLM_RESULTS_PATH, 'utf8')) as { sweep: { configs: { configId: string; ttftSpeedup: number | null }[] } };
  return new Map(results.sweep.configs.flatMap((c) => (c.ttftSpeedup === null ? [] : [[c.configId, c.ttftSpeedup] as const])));
}

function loadPrevious(identity: Identity): QuestionResult[] {
  if (!existsSync(RESULTS_PATH)) return [];
  const stored = JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as { identity?: Identity; perQuestion?: QuestionResult[] };
  return JSON.stringify(stored.identity) === JSON.stringify(identity) ? (stored.perQuestion ?? []) : [];
}

function summarize(config: BenchConfig, results: readonly QuestionResult[]): ConfigSummary {
  const f = results.map((r) => r.fidelity[config.id]);
  return {
    configId: config.id,
    family: config.family,
    prefillShare: mean(f.map((x) => x.prefillShare)),
    firstTokenKl: meanInterval(f.map((x) => x.firstTokenKl), [0, Infinity]),
    meanKl: meanInterval(f.map((x) => x.meanKl), [0, Infinity]),
    top1Agreement: meanInterval(f.map((x) => x.top1Agreement), [0, 1]),
    meanNll: meanInterval(f.map((x) => x.meanNll), [0, Infinity]),
  };
}

function compare({ lazy, baseline, matchedBy }: Pair, results: readonly QuestionResult[]): PairedComparison {
  const gain = (of: (f: Fidelity) => number, sign: 1 | -1) => meanInterval(results.map((r) => sign * (of(r.fidelity[baseline]) - of(r.fidelity[lazy]))));
  return {
    lazy,
    baseline,
    matchedBy,
    firstTokenKlGain: gain((f) => f.firstTokenKl, 1),
    meanKlGain: gain((f) => f.meanKl, 1),
    top1AgreementGain: gain((f) => f.top1Agreement, -1),
  };
}

const withInterval = (m: MeanInterval, digits: number, scale = 1) =>
  `${(m.mean * scale).toFixed(digits)} [${(m.interval[0] * scale).toFixed(digits)}, ${(m.interval[1] * scale).toFixed(digits)}]`;

async function main(): Promise<void> {
  const opts = options();
  const date = new Date();
  const deadline = date.getTime() + opts.minutes * 60_000;
  const model = await LlamaModel.load({ threads: opts.threads });
  const layers = model.config.layerCount;
  const byDefault = defaultConfig(layers).id;
  const { tokenizer, questionAt, prompt } = questionSet(model);
  const speedups = measuredSpeedups();
  const { configs, pairs } = configurations(layers, speedups);
  const identity: Identity = { model: model.identity, documents: SWEEP_DOCUMENTS, promptVersion: MULTI_DOC_PROMPT_VERSION, promptMode: PROMPT_MODE, answerProtocol: ANSWER_PROTOCOL, seed: SEED };
  const byIndex = new Map(loadPrevious(identity).map((r) => [r.questionIndex, r]));
  log(`${opts.threads} threads; ${opts.questions} questions at ${SWEEP_DOCUMENTS} documents, ${byIndex.size} stored; configurations: ${configs.map((c) => c.id).join(', ')}`);

  const write = (complete: boolean) => {
    // The first questions of the seeded order with every configuration, whatever else earlier runs stored.
    const questions = Array.from({ length: opts.questions }, (_, k) => byIndex.get(questionAt(k))).filter((r): r is QuestionResult => r !== undefined && configs.every((c) => r.fidelity[c.id]));
    const summary = [NO_DROP, ...configs].map((c) => summarize(c, questions));
    const comparisons = pairs.map((p) => compare(p, questions));
    mkdirSync(resolve(RESULTS_PATH, '..'), { recursive: true });
    writeFileSync(
      RESULTS_PATH,
      JSON.stringify(
        {
          benchmark: 'lazyllm-fidelity',
          date: date.toISOString(),
          command: commandLine(),
          complete,
          machine: machineInfo(),
          threads: opts.threads,
          identity,
          defaultConfig: byDefault,
          protocol: {
            reference: "no-drop's greedy answer (bench:lazyllm's stopping rule) and its next-token distribution at each answer position",
            teacherForcing: "each configuration runs the prompt with its schedule, then is fed no-drop's answer one decode step at a time, pruning and reviving as in generation",
            firstTokenKl: 'KL(no-drop || configuration) in nats at the first answer position: the prefill alone',
            meanKl: 'the same, averaged over the answer positions of a question',
            top1Agreement: "share of answer positions whose greedy token is no-drop's",
            meanNll: "mean negative log-likelihood of no-drop's answer tokens, nats per token",
            intervals: 'mean over questions with a 95% normal interval; comparisons are paired per question, gain > 0 favours LazyLLM',
          },
          summary,
          comparisons,
          ttftSpeedupsFromBenchLazyllm: Object.fromEntries(speedups),
          perQuestion: [...byIndex.values()],
        },
        null,
        2,
      ) + '\n',
    );
    return { questions: questions.length, summary, comparisons };
  };

  let complete = true;
  for (let k = 0; k < opts.questions; k++) {
    const questionIndex = questionAt(k);
    const stored = byIndex.get(questionIndex);
    const missing = configs.filter((c) => !stored?.fidelity[c.id]);
    if (missing.length === 0) continue;
    if (Date.now() > deadline) {
      complete = false;
      break;
    }
    const p = prompt(questionIndex, SWEEP_DOCUMENTS);
    const reference = await referenceRun(model, tokenizer, p.tokens);
    const fidelity: Record<string, Fidelity> = { ...stored?.fidelity, [NO_DROP.id]: referenceFidelity(reference) };
    for (const c of missing) fidelity[c.id] = await fidelityRun(model, p.tokens, reference, c.schedule);
    byIndex.set(questionIndex, { questionIndex, promptTokens: p.tokens.length, answerPositions: reference.targets.length, fidelity });
    write(false);
    log(`q${k} (#${questionIndex}) ${p.tokens.length} tok, ${reference.targets.length} positions: ${missing.map((c) => `${c.id} KL ${fidelity[c.id].meanKl.toFixed(3)}`).join('; ')}`);
  }
  await model.release();

  const { questions, summary, comparisons } = write(complete);
  console.log(`\nLazyLLM fidelity to no-drop: NQ-open, ${SWEEP_DOCUMENTS} documents, ${questions} questions${complete ? '' : ' (stopped at the time limit: partial)'}, teacher-forced on no-drop's greedy answer`);
  console.log('KL in nats (mean over questions [95% CI]); lower is closer to no-drop.\n');
  console.log(
    formatTable(
      ['configuration', 'prefill share', '1st-token KL', 'answer KL', 'same greedy token', "NLL of no-drop's answer"],
      summary.map((s) => [s.configId, s.prefillShare.toFixed(3), withInterval(s.firstTokenKl, 3), withInterval(s.meanKl, 3), withInterval(s.top1Agreement, 1, 100), withInterval(s.meanNll, 3)]),
    ),
  );
  console.log('\nBaseline minus LazyLLM, paired per question (> 0: LazyLLM closer to no-drop); TTFT speedups from bench/results/lazyllm.json\n');
  console.log(
    formatTable(
      ['LazyLLM', 'baseline', 'matched by', '1st-token KL gain', 'answer KL gain', 'same-token gain (points)'],
      comparisons.map((c) => [c.lazy, c.baseline, c.matchedBy === 'ttft' ? `TTFT (${speedups.get(c.lazy)?.toFixed(2)}x vs ${speedups.get(c.baseline)?.toFixed(2)}x)` : 'compute', withInterval(c.firstTokenKlGain, 3), withInterval(c.meanKlGain, 3), withInterval(c.top1AgreementGain, 1, 100)]),
    ),
  );
  const points = summary.flatMap((f) => {
    const ttftSpeedup = speedups.get(f.configId);
    return ttftSpeedup === undefined ? [] : [{ ...f, ttftSpeedup }];
  });
  await renderVegaLitePng(
    fidelityChartSpec(points, byDefault, `LazyLLM vs random and static pruning, closeness to no-drop: NQ-open, ${SWEEP_DOCUMENTS} documents, SmolLM2-135M`, [
      `${questions} questions, teacher-forced on no-drop's greedy answer; TTFT speedups from bench:lazyllm; ${date.toISOString().slice(0, 10)}`,
    ]),
    PNG_PATH,
  );
  console.log(`\nwrote ${relative(process.cwd(), RESULTS_PATH)} and ${relative(process.cwd(), PNG_PATH)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
