/**
 * `npm run generate -- "prompt"`: one generation in this process (no gateway, no Redis). The answer
 * streams to stdout as it is produced; the timings go to stderr, so the answer can be piped alone.
 */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ChatTemplate, ContextLengthError, Generation, GgufError, LlamaModel, readGguf, Tokenizer } from '@lazyllm/engine';
import { ConfigurationError, ModelNotFoundError } from '../shared/configuration-error';
import { modelPath, threads } from '../shared/engine-settings';
import { formatTimings } from './timings-report';

interface GenerateOptions {
  /** undefined: use the chat template if the model has one. */
  chat?: boolean;
  maxTokens: number;
  threads?: number;
  model?: string;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

/** Commander argument parsers: commander reports a bad value as a usage error. */
function integerArg(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`must be an integer >= ${min}`);
    return Number(value);
  };
}
function numberArg(valid: (n: number) => boolean, rule: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !valid(n)) throw new InvalidArgumentError(rule);
    return n;
  };
}

function parseCommandLine(argv: string[]): { prompt: string; options: GenerateOptions } {
  const program = new Command('npm run generate --')
    .description('Generate an answer to one prompt with the local engine and print its timings.')
    .argument('<prompt>', 'the prompt text')
    .option('--chat', "wrap the prompt as a user message in the model's chat template (default when the model has one)")
    .option('--no-chat', 'send the prompt as raw text to complete')
    .option('--max-tokens <n>', 'most tokens to generate', integerArg(1), 128)
    .option('--threads <n>', 'inference threads (default: THREADS, else every core)', integerArg(1))
    .option('--model <path>', 'GGUF model file (default: MODEL_PATH, else the model in MODELS_DIR)')
    .option('--temperature <t>', '0 picks the most likely token every time', numberArg((n) => n >= 0, 'must be a number >= 0'), 0)
    .option('--top-k <k>', 'when sampling, keep the k most likely tokens (0: all)', integerArg(0), 40)
    .option('--top-p <p>', 'when sampling, keep the most likely tokens up to probability p', numberArg((n) => n > 0 && n <= 1, 'must be in (0, 1]'), 0.95)
    .option('--seed <n>', 'random seed for sampling', integerArg(0), 0)
    .parse(argv);
  const options = program.opts<GenerateOptions>();
  return { prompt: program.args[0], options: { ...options, threads: options.threads ?? threads() } };
}

async function generate(prompt: string, options: GenerateOptions): Promise<void> {
  const path = modelPath(options.model);
  if (!existsSync(path)) throw new ModelNotFoundError(path);

  const loadStart = performance.now();
  const gguf = readGguf(path);
  const tokenizer = Tokenizer.fromGguf(gguf);
  const template = ChatTemplate.fromGguf(gguf);
  const model = await LlamaModel.load({ modelPath: path, threads: options.threads });
  const loadMs = performance.now() - loadStart;

  const requestStart = performance.now();
  // An instruct model given a bare question often ends its turn at once, so chat is the default.
  const chat = options.chat ?? template.available;
  const text = chat ? template.render([{ role: 'user', content: prompt }], { addGenerationPrompt: true }) : prompt;
  // Control tokens are parsed only in the template's own markup, never in a raw prompt.
  const promptIds = tokenizer.encode(text, { parseSpecial: chat });
  const generation = await Generation.start(model, promptIds, {
    maxTokens: options.maxTokens,
    stopTokens: tokenizer.endOfGenerationIds,
    sampling: { temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.seed },
  });
  const ttftMs = performance.now() - requestStart;

  const decoder = tokenizer.createStreamDecoder();
  for (const id of generation.generated) process.stdout.write(decoder.push(id));
  for (let id = await generation.step(); id !== undefined; id = await generation.step()) process.stdout.write(decoder.push(id));
  process.stdout.write(`${decoder.flush()}\n`);

  process.stderr.write(
    `${formatTimings({ loadMs, promptTokens: promptIds.length, ttftMs, generatedTokens: generation.generated.length, timings: generation.timings, finishReason: generation.finishReason })}\n`,
  );
  await model.release();
}

/** Problems with the input or the environment that the message alone explains. */
function isUserError(err: unknown): err is Error {
  return err instanceof ConfigurationError || err instanceof GgufError || err instanceof ContextLengthError;
}

async function main(): Promise<void> {
  try {
    const { prompt, options } = parseCommandLine(process.argv);
    await generate(prompt, options);
  } catch (err) {
    console.error(isUserError(err) ? err.message : err);
    process.exitCode = 1;
  }
}

void main();
