/**
 * Document prefix cache for batch QA: many questions over one 40-document set (NQ-open gold passages,
 * ~5k tokens), answered with the cache in exact and shared-revival mode, with LazyLLM without the cache
 * (one-step prefill), and with no-drop, in one run; a few questions also through the uncached two-phase
 * path the service takes without a cache (the reference exact mode must equal bit for bit).
 *
 *   npm run bench:prefix [-- --sets 1 --questions 20 --no-drop-questions 5 --two-phase-questions 3 --answer-tokens 8 --threads 2 --schedule batch]
 *
 * Every LazyLLM mode uses one named schedule: 'batch' (the default, what /batches and the QA CLI use)
 * or 'default'.
 *
 * Questions per minute = answered questions / their summed wall time (prefill, cache traffic, decode;
 * the cache modes' first question pays for computing the prefix). Writes bench/results/prefix.json
 * after every question, so an interrupted run leaves what it measured.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { containsGoldAnswer, nqOpenRecords } from '../libs/datasets/src';
import { batchLazySchedule, ChatTemplate, defaultLazySchedule, LlamaModel, NO_PRUNING, readGguf, Tokenizer } from '../libs/engine/src';
import { documentQaTokens } from '../libs/prompts/src';
import { DEFAULT_PREFIX_CACHE_SETTINGS, RedisPrefixCache } from '../libs/prefix-cache/src';
import { startLocalRedis } from '../libs/redis-server/src';
import { commandLine, integerOption } from './lib/cli';
import { machineInfo } from './lib/machine';
import { formatTable } from './lib/table';
import { ModeName, ModeRun, runMode } from './prefix/prefix-modes';

const DOCUMENTS = 40;
const RESULTS = resolve(__dirname, 'results', 'prefix.json');

function options() {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: '1' },
      questions: { type: 'string', default: '20' },
      'no-drop-questions': { type: 'string', default: '5' },
      'two-phase-questions': { type: 'string', default: '3' },
      'answer-tokens': { type: 'string', default: '8' },
      threads: { type: 'string', default: '2' },
      schedule: { type: 'string', default: 'batch' },
    },
  });
  const schedule = values.schedule;
  if (schedule !== 'batch' && schedule !== 'default') throw new Error(`--schedule must be batch or default, got ${schedule}`);
  const n = (name: Exclude<keyof typeof values, 'schedule'>, min = 0) => integerOption(name, values[name], min);
  return { sets: n('sets'), questions: n('questions'), noDropQuestions: n('no-drop-questions'), twoPhaseQuestions: n('two-phase-questions'), answerTokens: n('answer-tokens'), threads: n('threads', 1), schedule };
}

interface QuestionResult {
  readonly set: number;
  readonly question: string;
  readonly runs: Partial<Record<ModeName, ModeRun & { text: string; correct: boolean }>>;
}

const MODES: readonly ModeName[] = ['cache-exact', 'cache-shared-revival', 'lazyllm', 'lazyllm-two-phase', 'no-drop'];

function summary(results: readonly QuestionResult[]) {
  return MODES.map((mode) => {
    const runs = results.filter((r) => r.runs[mode]);
    const wall = runs.reduce((s, r) => s + r.runs[mode]!.wallMs, 0);
    const agreeWith = (ref: ModeName) => {
      const both = runs.filter((r) => r.runs[ref]);
      const same = both.filter((r) => r.runs[ref]!.tokens.join() === r.runs[mode]!.tokens.join()).length;
      return { agreeing: same, of: both.length };
    };
    return {
      mode,
      questions: runs.length,
      questionsPerMinute: runs.length === 0 ? 0 : (60_000 * runs.length) / wall,
      medianPrefillMs: median(runs.map((r) => r.runs[mode]!.prefillMs)),
      accuracy: runs.length === 0 ? 0 : runs.filter((r) => r.runs[mode]!.correct).length / runs.length,
      agreementWithLazyllm: agreeWith('lazyllm'),
      agreementWithTwoPhase: agreeWith('lazyllm-two-phase'),
    };
  });
}

function median(v: number[]): number {
  if (v.length === 0) return 0;
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const opts = options();
  const started = new Date().toISOString();
  const machine = machineInfo();
  const local = process.env.REDIS_URL ? undefined : await startLocalRedis({ dataRoot: mkdtempSync(join(tmpdir(), 'lazyllm-prefix-bench-')) });
  const redis = new Redis(process.env.REDIS_URL ?? local!.url);
  const keyPrefix = `{bench-prefix-${Date.now()}}`;
  const exact = new RedisPrefixCache(redis, keyPrefix, { ...DEFAULT_PREFIX_CACHE_SETTINGS, mode: 'exact' });
  const shared = new RedisPrefixCache(redis, keyPrefix, { ...DEFAULT_PREFIX_CACHE_SETTINGS, mode: 'shared-revival' });
  const model = await LlamaModel.load({ threads: opts.threads });
  const gguf = readGguf(model.path);
  const tokenizer = Tokenizer.fromGguf(gguf);
  const template = ChatTemplate.fromGguf(gguf);
  const schedule = (opts.schedule === 'batch' ? batchLazySchedule : defaultLazySchedule)(model.config.layerCount);
  const records = nqOpenRecords();
  const results: QuestionResult[] = [];
  const sets: { set: number; documentTokens: number; exactEntryBytes: number; sharedEntryBytes: number }[] = [];

  const write = () => {
    mkdirSync(resolve(__dirname, 'results'), { recursive: true });
    const rows = summary(results);
    writeFileSync(
      RESULTS,
      `${JSON.stringify({ benchmark: 'prefix', started, command: commandLine(), machine, model: { path: model.path, identity: model.identity }, schedule, options: opts, sets, summary: rows, questions: results }, null, 2)}\n`,
    );
    return rows;
  };

  for (let s = 0; s < opts.sets; s++) {
    const group = records.slice(s * DOCUMENTS, (s + 1) * DOCUMENTS);
    const documents = group.map((r) => ({ title: r.ctxs[0].title, text: r.ctxs[0].text }));
    let documentTokens = 0;
    for (let q = 0; q < opts.questions; q++) {
      const record = group[q];
      const prompt = documentQaTokens({ kind: 'document-qa', documents, question: record.question }, tokenizer, template);
      documentTokens = prompt.prefixLength;
      const runs: QuestionResult['runs'] = {};
      const modes = MODES.filter((m) => (m === 'no-drop' ? q < opts.noDropQuestions : m === 'lazyllm-two-phase' ? q < opts.twoPhaseQuestions : true));
      for (const mode of modes) {
        const params = { maxTokens: opts.answerTokens, stopTokens: tokenizer.endOfGenerationIds, schedule: mode === 'no-drop' ? NO_PRUNING : schedule };
        const run = await runMode(mode, model, prompt, params, { exact, shared });
        const text = tokenizer.decode([...run.tokens], { skipSpecial: true }).trim();
        runs[mode] = { ...run, text, correct: containsGoldAnswer(text, record.answers) };
        process.stderr.write(`set ${s} q ${q} ${mode}: ${(run.wallMs / 1000).toFixed(1)} s (prefill ${(run.prefillMs / 1000).toFixed(1)} s, prefix ${run.prefix}) ${JSON.stringify(text)}\n`);
      }
      results.push({ set: s, question: record.question, runs });
      write();
    }
    sets.push({ set: s, documentTokens, exactEntryBytes: await entryBytes(redis, keyPrefix, 0), sharedEntryBytes: await entryBytes(redis, keyPrefix, 1) });
  }
  const rows = write();
  const set0 = sets[0];
  console.log(
    formatTable(
      ['mode', 'questions', 'q/min', 'median prefill s', 'accuracy', 'agree w/ lazyllm', 'agree w/ two-phase'],
      rows.map((r) => [r.mode, String(r.questions), r.questionsPerMinute.toFixed(2), (r.medianPrefillMs / 1000).toFixed(1), r.accuracy.toFixed(2), `${r.agreementWithLazyllm.agreeing}/${r.agreementWithLazyllm.of}`, `${r.agreementWithTwoPhase.agreeing}/${r.agreementWithTwoPhase.of}`]),
    ),
  );
  if (set0) console.log(`document tokens ${set0.documentTokens}; cache bytes per document token: exact ${(set0.exactEntryBytes / set0.documentTokens).toFixed(0)}, shared-revival ${(set0.sharedEntryBytes / set0.documentTokens).toFixed(0)}`);
  await model.release();
  await redis.quit();
  await local?.stop();
}

/** Sizes of the prefix entries, smallest first (the exact entry holds fewer rows than a shared-revival one that grew). */
async function entryBytes(redis: Redis, keyPrefix: string, rank: number): Promise<number> {
  const sizes = Object.values(await redis.hgetall(`${keyPrefix}:prefix-index:sizes`)).map(Number).sort((a, b) => a - b);
  return sizes[rank] ?? 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
