/**
 * Size and speed of the generation-state handoff: bytes per prompt token, serialize and resume
 * (decode + checks + copy into the stores) times, lossless (f32 K/V) against compact (f16 K/V), for
 * states written right after a LazyLLM prefill (the default schedule) of 1k and 4k prompt tokens.
 *
 *   npx tsx bench/state-size.ts [--threads N] [--repeats R]
 */
import { parseArgs } from 'node:util';
import { defaultLazySchedule, Generation, KvPrecision, LlamaModel, readGguf, resolveModelPath, resumeGeneration, serializeGeneration, Tokenizer } from '../libs/engine/src';
import { integerOption } from './lib/cli';
import { machineInfo } from './lib/machine';
import { nqPromptTokens } from './lib/prompts';
import { median } from './lib/stats';
import { formatTable } from './lib/table';

const PROMPT_LENGTHS = [1024, 4096];
const PRECISIONS: readonly KvPrecision[] = ['f32', 'f16'];

function options(): { threads: number; repeats: number } {
  const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, repeats: { type: 'string', default: '5' } } });
  const threads = integerOption('threads', values.threads, 1);
  const repeats = integerOption('repeats', values.repeats, 1);
  return { threads, repeats };
}

function timed<T>(repeats: number, run: () => T): { result: T; ms: number } {
  let result = run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    result = run();
    times.push(performance.now() - t0);
  }
  return { result, ms: median(times) };
}

async function main(): Promise<void> {
  const { threads, repeats } = options();
  const model = await LlamaModel.load({ threads });
  const tokenizer = Tokenizer.fromGguf(readGguf(resolveModelPath()));
  const prompts = nqPromptTokens((text) => tokenizer.encode(text), PROMPT_LENGTHS);
  const c = model.config;
  const schedule = defaultLazySchedule(c.layerCount);
  // A state that kept every token at every layer: K and V rows in f32, nothing in the Aux Cache.
  const denseBytesPerToken = c.layerCount * 2 * c.kvHeadCount * c.headDim * 4;

  const rows: string[][] = [];
  for (const [length, prompt] of prompts) {
    const generation = await Generation.start(model, prompt, { maxTokens: 2, schedule });
    const { state } = generation;
    for (const kvPrecision of PRECISIONS) {
      const serialized = timed(repeats, () => serializeGeneration(generation, { kvPrecision }));
      const resumed = timed(repeats, () => resumeGeneration(model, serialized.result));
      if (resumed.result.state.computedPairs !== state.computedPairs) throw new Error('the resumed state differs from the serialized one');
      const bytes = serialized.result.length;
      rows.push([
        `${length} tokens, ${kvPrecision === 'f32' ? 'lossless (f32 K/V)' : 'compact (f16 K/V)'}`,
        (state.computedShare * 100).toFixed(1),
        String(state.aux.size),
        (bytes / 2 ** 20).toFixed(1),
        (bytes / length).toFixed(0),
        ((bytes / length / denseBytesPerToken) * 100).toFixed(0),
        serialized.ms.toFixed(1),
        resumed.ms.toFixed(1),
      ]);
    }
  }
  await model.release();

  const machine = machineInfo();
  console.log(`Generation state after a LazyLLM prefill, default schedule: layers [${schedule.layers}] percentiles [${schedule.percentiles}]; ${c.layerCount} layers, K/V width ${c.kvHeadCount * c.headDim}, hidden ${c.hiddenSize}`);
  console.log(`${machine.cpuModel}, ${machine.cores} cores, load average ${machine.loadAverage.join(' ')}, Node ${machine.nodeVersion}; times are medians of ${repeats} runs after one warm-up`);
  console.log(`A dense f32 state (every token at every layer) would take ${denseBytesPerToken} bytes per token.\n`);
  console.log(formatTable(['state', 'pairs computed %', 'aux entries', 'MiB', 'bytes/prompt token', '% of dense f32', 'serialize ms', 'resume ms'], rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
