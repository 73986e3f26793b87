import type { GenerationOptions, JobEvent, JobInput, JobResult } from '@lazyllm/contracts';
import { nqOpenRecords } from '@lazyllm/datasets';
import { resolveModelPath } from '@lazyllm/engine';
import { LoadedModel } from '../../apps/shared/loaded-model';
import { resultOf } from '../support/job-driver';
import { referenceAnswer, type ReferenceAnswer } from '../support/reference-answer';
import { useTestRedis } from '../support/redis';
import { WorkerPools } from './support/worker-pools';

const server = useTestRedis();
const PREFIX = '{smollm2}';

/** Document QA over real NQ passages with the engine's default LazyLLM schedule, greedy. */
const record = nqOpenRecords()[0];
const INPUT: Extract<JobInput, { kind: 'document-qa' }> = { kind: 'document-qa', documents: record.ctxs.slice(0, 3).map((c) => ({ title: c.title, text: c.text })), question: record.question };
const OPTIONS: GenerationOptions = { maxTokens: 16, temperature: 0, topK: 0, topP: 1, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f32' };

describe('the worker pools on SmolLM2-135M (the default model)', () => {
  const modelPath = resolveModelPath();
  let expected: ReferenceAnswer;
  let pools: WorkerPools;

  beforeAll(async () => {
    // The in-process answer first, then the workers: the machine has two cores to share.
    const engine = await LoadedModel.load({ modelPath, threads: 1 });
    expected = await referenceAnswer(engine, INPUT, OPTIONS);
    await engine.model.release();
    pools = await WorkerPools.start(modelPath, server.url, PREFIX);
  }, 120_000);

  afterAll(async () => {
    await expect(pools?.stop()).resolves.toEqual([0, 0]);
  });

  async function run(jobId: string, options: GenerationOptions): Promise<{ events: JobEvent[]; result: JobResult }> {
    const events = await pools.eventsUntilEnd(await pools.submit(INPUT, options, jobId));
    return { events, result: resultOf(events) };
  }

  it('answers exactly as the engine does in one process, with the lossless handoff', async () => {
    const { events, result } = await run('smollm2-f32', OPTIONS);
    expect(result.tokens).toEqual(expected.tokens);
    expect(result.text).toBe(expected.text);
    expect(result.usage.promptTokens).toBe(expected.promptTokens);
    expect(events.filter((e) => e.type === 'token').length).toBe(expected.tokens.length);
    expect(result.pruning.computedShare).toBeLessThan(1);
    const report = (await pools.decodeQueue.getJob('smollm2-f32'))!.data.prefill;
    // Several 1 MiB chunks: the handoff of a real state is chunked.
    expect(report.handoffBytes).toBeGreaterThan(4 << 20);
  });

  it('hands over about half the bytes with the compact fp16 state, and still finishes', async () => {
    const { result } = await run('smollm2-f16', { ...OPTIONS, kvPrecision: 'f16' });
    expect(result.tokens.length).toBeGreaterThan(0);
    const f32 = (await pools.decodeQueue.getJob('smollm2-f32'))!.data.prefill.handoffBytes;
    const f16 = (await pools.decodeQueue.getJob('smollm2-f16'))!.data.prefill.handoffBytes;
    expect(f16 / f32).toBeGreaterThan(0.45);
    expect(f16 / f32).toBeLessThan(0.6);
  });

  // Last: it stops the decode worker.
  it('lets a decode worker told to stop (SIGTERM) finish its running job first', async () => {
    const jobId = 'smollm2-sigterm';
    await pools.submit({ kind: 'prompt', prompt: 'Count from one to one hundred in words.', chat: true }, { ...OPTIONS, maxTokens: 64 }, jobId);
    // Wait until the decode worker is under way (token 1 is its first), then stop it.
    let after = '0';
    let decoding = false;
    while (!decoding) {
      const batch = await pools.store.readEvents(jobId, after, 30_000);
      expect(batch.length).toBeGreaterThan(0);
      after = batch[batch.length - 1].id;
      decoding = batch.some(({ event }) => event.type === 'token' && event.index >= 1);
      expect(batch.every(({ event }) => event.type === 'token')).toBe(true);
    }
    const decodeWorker = pools.workers[1];
    await expect(decodeWorker.stop()).resolves.toBe(0);
    const record = await pools.store.get(jobId);
    expect(record).toMatchObject({ status: 'completed' });
    expect(record!.result!.tokens.length).toBeGreaterThan(1);
  });
});
