import type { GenerationOptions, JobEvent, JobInput, JobResult } from '@lazyllm/contracts';
import { nqOpenRecords } from '@lazyllm/datasets';
import { ChatTemplate, LlamaModel, readGguf, resolveModelPath, Tokenizer } from '@lazyllm/engine';
import { createDecodeQueue, createPrefillQueue, DecodeQueue, enqueuePrefill, JobStore, newJobRecord, PrefillQueue, readQueueSettings } from '@lazyllm/jobs';
import { startPrefixedGeneration } from '@lazyllm/prefix-cache';
import { AnswerText, documentQaTokens } from '@lazyllm/prompts';
import { Redis } from 'ioredis';
import { generationParams } from '../../apps/shared/generation-params';
import { useTestRedis } from '../support/redis';
import { AppProcess } from './support/app-process';

const server = useTestRedis();
const PREFIX = '{smollm2}';

/** Document QA over real NQ passages with the engine's default LazyLLM schedule, greedy. */
const record = nqOpenRecords()[0];
const INPUT: Extract<JobInput, { kind: 'document-qa' }> = { kind: 'document-qa', documents: record.ctxs.slice(0, 3).map((c) => ({ title: c.title, text: c.text })), question: record.question };
const OPTIONS: GenerationOptions = { maxTokens: 16, temperature: 0, topK: 0, topP: 1, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f32' };

describe('the worker pools on SmolLM2-135M (the default model)', () => {
  const modelPath = resolveModelPath();
  let expected: { tokens: number[]; text: string; promptTokens: number };
  let workers: AppProcess[] = [];
  let redis: Redis;
  let store: JobStore;
  let prefillQueue: PrefillQueue;
  let decodeQueue: DecodeQueue;

  beforeAll(async () => {
    // The in-process answer first, then the workers: the machine has two cores to share.
    const gguf = readGguf(modelPath);
    const tokenizer = Tokenizer.fromGguf(gguf);
    const model = await LlamaModel.load({ modelPath, threads: 1 });
    // Document QA runs as the documents' prefix, then the question, in the workers as in one process.
    const prompt = documentQaTokens(INPUT, tokenizer, ChatTemplate.fromGguf(gguf));
    const { generation } = await startPrefixedGeneration(model, prompt, generationParams(OPTIONS, tokenizer, model.config.layerCount));
    const generated = await generation.finish();
    await model.release();
    const answer = new AnswerText(tokenizer, []);
    for (const token of generated) answer.push(token);
    expected = { tokens: [...generated], text: answer.text + answer.finish(), promptTokens: prompt.tokens.length };

    const env = { ...process.env, MODEL_PATH: modelPath, REDIS_URL: server.url, QUEUE_PREFIX: PREFIX, THREADS: '1', NO_COLOR: '1' };
    workers = await Promise.all([
      AppProcess.start('apps/prefill-worker/src/main.ts', env, /PrefillProcessor.*ready/),
      AppProcess.start('apps/decode-worker/src/main.ts', env, /DecodeProcessor.*ready/),
    ]);
    const settings = readQueueSettings({ REDIS_URL: server.url, QUEUE_PREFIX: PREFIX });
    redis = new Redis(server.url);
    store = new JobStore(redis, PREFIX);
    prefillQueue = createPrefillQueue(settings);
    decodeQueue = createDecodeQueue(settings);
  }, 120_000);

  afterAll(async () => {
    const codes = await Promise.all(workers.map((w) => w.stop()));
    await Promise.all([prefillQueue?.close(), decodeQueue?.close()]);
    store?.close();
    await redis?.quit();
    expect(codes).toEqual(workers.map(() => 0));
  });

  async function run(jobId: string, options: GenerationOptions): Promise<{ events: JobEvent[]; result: JobResult }> {
    const acceptedAt = Date.now();
    await store.create(newJobRecord(jobId, acceptedAt));
    await enqueuePrefill(prefillQueue, { jobId, input: INPUT, options, acceptedAt });
    const events: JobEvent[] = [];
    let after = '0';
    for (;;) {
      const batch = await store.readEvents(jobId, after, 60_000);
      if (batch.length === 0) throw new Error(`job ${jobId} stalled:\n${workers.map((w) => w.output.join('\n')).join('\n')}`);
      for (const { id, event } of batch) {
        events.push(event);
        after = id;
        if (event.type === 'done') return { events, result: event.result };
        if (event.type !== 'token') throw new Error(`job ${jobId} ended with ${JSON.stringify(event)}`);
      }
    }
  }

  it('answers exactly as the engine does in one process, with the lossless handoff', async () => {
    const { events, result } = await run('smollm2-f32', OPTIONS);
    expect(result.tokens).toEqual(expected.tokens);
    expect(result.text).toBe(expected.text);
    expect(result.usage.promptTokens).toBe(expected.promptTokens);
    expect(events.filter((e) => e.type === 'token').length).toBe(expected.tokens.length);
    expect(result.pruning.computedShare).toBeLessThan(1);
    const report = (await decodeQueue.getJob('smollm2-f32'))!.data.prefill;
    // Several 1 MiB chunks: the handoff of a real state is chunked.
    expect(report.handoffBytes).toBeGreaterThan(4 << 20);
  });

  it('hands over about half the bytes with the compact fp16 state, and still finishes', async () => {
    const { result } = await run('smollm2-f16', { ...OPTIONS, kvPrecision: 'f16' });
    expect(result.tokens.length).toBeGreaterThan(0);
    const f32 = (await decodeQueue.getJob('smollm2-f32'))!.data.prefill.handoffBytes;
    const f16 = (await decodeQueue.getJob('smollm2-f16'))!.data.prefill.handoffBytes;
    expect(f16 / f32).toBeGreaterThan(0.45);
    expect(f16 / f32).toBeLessThan(0.6);
  });

  // Last: it stops the decode worker.
  it('lets a decode worker told to stop (SIGTERM) finish its running job first', async () => {
    const jobId = 'smollm2-sigterm';
    const acceptedAt = Date.now();
    await store.create(newJobRecord(jobId, acceptedAt));
    await enqueuePrefill(prefillQueue, { jobId, input: { kind: 'prompt', prompt: 'Count from one to one hundred in words.', chat: true }, options: { ...OPTIONS, maxTokens: 64 }, acceptedAt });
    // Wait until the decode worker is under way (token 1 is its first), then stop it.
    let after = '0';
    let decoding = false;
    while (!decoding) {
      const batch = await store.readEvents(jobId, after, 30_000);
      expect(batch.length).toBeGreaterThan(0);
      after = batch[batch.length - 1].id;
      decoding = batch.some(({ event }) => event.type === 'token' && event.index >= 1);
      expect(batch.every(({ event }) => event.type === 'token')).toBe(true);
    }
    const decodeWorker = workers[1];
    await expect(decodeWorker.stop()).resolves.toBe(0);
    const record = await store.get(jobId);
    expect(record).toMatchObject({ status: 'completed' });
    expect(record!.result!.tokens.length).toBeGreaterThan(1);
  });
});
