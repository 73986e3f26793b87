/**
 * `npm run qa -- --documents <folder|file.jsonl> --questions <file.jsonl> --output <results.jsonl>`:
 * document question answering in bulk, through the gateway (default) or in this process (--local).
 * Results are appended to the output as JSON lines with timings; run the same command again after an
 * interruption and only the questions without a completed line are asked.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SCHEDULE_NAMES, type ScheduleName } from '@lazyllm/contracts';
import { ContextLengthError, GgufError } from '@lazyllm/engine';
import { ConfigurationError } from '../shared/configuration-error';
import { modelPath, threads } from '../shared/engine-settings';
import { GatewayAnswerer } from './qa/gateway-answerer';
import { readDocuments, readQuestions } from './qa/qa-inputs';
import { LocalAnswerer } from './qa/local-answerer';
import { NO_PROGRESS, QaProgressBar } from './qa/qa-progress';
import { QaResults } from './qa/qa-results';
import type { Answerer, QaGenerationOptions } from './qa/qa-task';
import { runQa } from './qa/run-qa';

interface QaOptions {
  documents: string;
  questions: string;
  output: string;
  local: boolean;
  gateway: string;
  apiKey?: string;
  concurrency: number;
  maxTokens: number;
  schedule: ScheduleName;
  kvPrecision: 'f32' | 'f16';
  model?: string;
  threads?: number;
  progress: boolean;
}

function integerArg(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`must be an integer >= ${min}`);
    return Number(value);
  };
}

function parseCommandLine(argv: string[]): QaOptions {
  return new Command('npm run qa --')
    .description('Answer questions over documents in bulk; resumable, results as JSON lines with timings.')
    .requiredOption('--documents <path>', 'a folder of .txt/.md files (titled by file name), or JSON lines of {"title"?, "text"}')
    .requiredOption('--questions <file>', 'JSON lines of {"id"?, "question", "documents"?: [titles]}')
    .requiredOption('--output <file>', 'results, appended as JSON lines; also what a rerun resumes from')
    .option('--local', 'answer in this process with the engine (no gateway, no Redis)', false)
    .option('--gateway <url>', 'the gateway to submit to', process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000')
    .option('--api-key <key>', 'API key for the gateway (default: LAZYLLM_API_KEY)', process.env.LAZYLLM_API_KEY)
    .option('--concurrency <n>', 'questions in flight through the gateway', integerArg(1), 4)
    .option('--max-tokens <n>', 'most tokens per answer', integerArg(1), 32)
    .addOption(new Option('--schedule <name>', 'pruning schedule ("batch" starts pruning later: the documents\' prefix is computed once)').choices([...SCHEDULE_NAMES]).default('batch'))
    .addOption(new Option('--kv-precision <p>', 'KV precision of the prefill-to-decode handoff').choices(['f32', 'f16']).default('f32'))
    .option('--model <path>', 'GGUF model for --local (default: MODEL_PATH, else the model in MODELS_DIR)')
    .option('--threads <n>', 'inference threads for --local (default: THREADS, else every core)', integerArg(1))
    .option('--no-progress', 'no progress bar')
    .parse(argv)
    .opts<QaOptions>();
}

function answerer(options: QaOptions): Promise<Answerer> {
  const generation: QaGenerationOptions = { maxTokens: options.maxTokens, schedule: options.schedule, kvPrecision: options.kvPrecision };
  if (options.local) return LocalAnswerer.load(modelPath(options.model), options.threads ?? threads(), generation);
  return GatewayAnswerer.connect(options.gateway, options.apiKey, generation, options.concurrency);
}

/** Ctrl-C once stops taking questions and keeps what is finished; twice leaves at once. */
function stopOnSignals(): AbortController {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: finished answers are saved; run the same command again to resume (Ctrl-C again to quit now)\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stop;
}

async function main(): Promise<number> {
  const options = parseCommandLine(process.argv);
  const documents = readDocuments(options.documents);
  const tasks = readQuestions(options.questions, documents);
  const results = new QaResults(options.output);
  const answering = await answerer(options);
  const stop = stopOnSignals();
  try {
    const summary = await runQa(tasks, results, answering, options.progress ? new QaProgressBar() : NO_PROGRESS, stop.signal);
    process.stderr.write(`${summary.completed} answered, ${summary.failed} failed, ${summary.skipped} already done, of ${summary.total}; results in ${options.output}\n`);
    if (summary.interrupted) return 130;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await answering.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof ConfigurationError || err instanceof GgufError || err instanceof ContextLengthError;
    console.error(known ? (err as Error).message : err);
    process.exit(1);
  },
);
