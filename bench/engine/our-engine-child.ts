/**
 * Runs one OurEngineJob in a process of its own, so that its peak RSS is the engine's alone and an
 * out-of-memory kill costs one measurement instead of the whole benchmark. Spawned by our-engine-figures.ts.
 */
import { Generation, LlamaModel } from '../../libs/engine/src';
import type { OurEngineJob, OurEngineResult } from './our-engine-job';
import { PrefillRun, timedRuns } from './prefill-run';

async function runOnce(model: LlamaModel, tokens: number[], decodeSteps: number): Promise<PrefillRun> {
  const t0 = performance.now();
  // No stop tokens: every run decodes exactly `decodeSteps` tokens, as llama.cpp's timePrefill does (EOS ignored).
  const generation = await Generation.start(model, tokens, { maxTokens: decodeSteps + 1 });
  const ttftMs = performance.now() - t0;
  for (let i = 0; i < decodeSteps; i++) await generation.step();
  return { ttftMs, decodeSteps: generation.timings.decodeSteps, decodeMs: generation.timings.decodeMs };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as OurEngineJob;
  const model = await LlamaModel.load({ modelPath: job.modelPath, threads: job.threads });
  const runs = await timedRuns((tokens, steps) => runOnce(model, tokens, steps), job.tokens, job.decodeSteps, job.repetitions);
  const result: OurEngineResult = { runs, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
