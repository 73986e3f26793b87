import { join } from 'node:path';
import type { GenerationOptions, JobEvent, JobInput, JobResult } from '@lazyllm/contracts';
import { ChatTemplate, Generation, LlamaModel, readGguf, serializeGeneration, Tokenizer } from '@lazyllm/engine';
import { RedisStateStore } from '@lazyllm/handoff';
import { createDecodeQueue, createPrefillQueue, DecodeQueue, enqueueDecode, enqueuePrefill, JobStore, jobKeys, newJobRecord, PrefillQueue, readQueueSettings, stateChunkKey } from '@lazyllm/jobs';
import { AnswerText, promptTokens } from '@lazyllm/prompts';
import { Redis } from 'ioredis';
import { generationParams } from '../../apps/shared/generation-params';
import { eventually } from '../support/eventually';
import { useTestRedis } from '../support/redis';
import { makeScratchDir } from '../support/tiny-fixture';
import { writeTinyLlama } from '../support/tiny-gguf';
import { AppProcess } from './support/app-process';

const server = useTestRedis();
const PREFIX = '{pipeline}';

const GREEDY_PRUNED: GenerationOptions = {
  maxTokens: 12,
  temperature: 0,
  topK: 0,
  topP: 1,
  seed: 0,
  stop: [],
  schedule: { layers: [2], percentiles: [50] },
  kvPrecision: 'f32',
};

interface Expected {
  readonly tokens: number[];
  readonly pieces: string[];
  readonly text: string;
}

describe('prefill and decode workers, each in its own process, on a real Redis', () => {
  const scratch = makeScratchDir();
  const modelPath = join(scratch.path, 'tiny.gguf');
  let model: LlamaModel;
  let tokenizer: Tokenizer;
  let template: ChatTemplate;
  let workers: AppProcess[] = [];
  let redis: Redis;
  let store: JobStore;
  let prefillQueue: PrefillQueue;
  let decodeQueue: DecodeQueue;
  let jobCount = 0;

  beforeAll(async () => {
    writeTinyLlama(modelPath);
    const gguf = readGguf(modelPath);
    tokenizer = Tokenizer.fromGguf(gguf);
    template = ChatTemplate.fromGguf(gguf);
    model = await LlamaModel.load({ modelPath, threads: 1 });
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
    // Each worker finishes what it runs and exits cleanly on SIGTERM.
    const codes = await Promise.all(workers.map((w) => w.stop()));
    await Promise.all([prefillQueue?.close(), decodeQueue?.close()]);
    store?.close();
    await redis?.quit();
    await model?.release();
    scratch.remove();
    expect(codes).toEqual(workers.map(() => 0));
  });

  async function submit(input: JobInput, options: GenerationOptions): Promise<string> {
    const jobId = `job-${++jobCount}`;
    const acceptedAt = Date.now();
    await store.create(newJobRecord(jobId, acceptedAt));
    await enqueuePrefill(prefillQueue, { jobId, input, options, acceptedAt });
    return jobId;
  }

  /** Every event of the job, up to and including the final one. */
  async function eventsUntilEnd(jobId: string, timeoutMs = 60_000): Promise<JobEvent[]> {
    const events: JobEvent[] = [];
    let after = '0';
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const { id, event } of await store.readEvents(jobId, after, 1000)) {
        events.push(event);
        after = id;
        if (event.type !== 'token') return events;
      }
    }
    throw new Error(`job ${jobId} did not end; events so far: ${JSON.stringify(events)}\n${workers.map((w) => w.output.join('\n')).join('\n')}`);
  }

  /** What the same request gives in this process, with no queue and no handoff. */
  async function inProcess(input: JobInput, options: GenerationOptions): Promise<Expected> {
    const generation = await Generation.start(model, promptTokens(input, tokenizer, template), generationParams(options, tokenizer, model.config.layerCount));
    await generation.finish();
    const answer = new AnswerText(tokenizer, options.stop);
    const tokens: number[] = [];
    const pieces: string[] = [];
    for (const token of generation.generated) {
      if (answer.stopped) break;
      tokens.push(token);
      pieces.push(answer.push(token).text);
    }
    return { tokens, pieces, text: answer.text + answer.finish() };
  }

  function tokenEvents(events: JobEvent[]): Extract<JobEvent, { type: 'token' }>[] {
    return events.filter((e): e is Extract<JobEvent, { type: 'token' }> => e.type === 'token');
  }

  function resultOf(events: JobEvent[]): JobResult {
    const last = events[events.length - 1];
    if (last.type !== 'done') throw new Error(`job ended with ${JSON.stringify(last)}`);
    return last.result;
  }

  /** Generation states left in Redis once the worker that ended the job has cleaned up. */
  async function stateKeys(): Promise<string[]> {
    return eventually(() => redis.keys(`${PREFIX}:state:*`), (keys) => keys.length === 0);
  }

  it('streams and finishes exactly what the in-process engine generates, and removes the handed-over state', async () => {
    const input: JobInput = { kind: 'prompt', prompt: 'the cat sat on the mat and', chat: true };
    const expected = await inProcess(input, GREEDY_PRUNED);
    expect(expected.tokens.length).toBeGreaterThan(1);
    const jobId = await submit(input, GREEDY_PRUNED);
    const events = await eventsUntilEnd(jobId);

    const tokens = tokenEvents(events);
    expect(tokens.map((e) => e.index)).toEqual(expected.tokens.map((_, i) => i));
    expect(tokens.map((e) => e.token)).toEqual(expected.tokens);
    expect(tokens.map((e) => e.text)).toEqual(expected.pieces);
    const result = resultOf(events);
    expect(result).toMatchObject({ text: expected.text, tokens: expected.tokens, usage: { completionTokens: expected.tokens.length } });
    expect(result.pruning.schedule).toEqual(GREEDY_PRUNED.schedule);
    expect(result.pruning.computedShare).toBeLessThan(1);

    const record = await store.get(jobId);
    expect(record).toMatchObject({ status: 'completed', result });
    for (const timing of ['queueWaitMs', 'ttftMs', 'prefillMs', 'handoffMs', 'decodeMs', 'decodeTokensPerSec', 'totalMs'] as const) {
      expect({ timing, value: typeof record!.timings[timing] }).toEqual({ timing, value: 'number' });
    }
    const decodeJob = await decodeQueue.getJob(jobId);
    expect(decodeJob?.data.prefill.handoffBytes).toBeGreaterThan(0);
    await expect(eventually(() => decodeJob!.getState(), (state) => state !== 'active')).resolves.toBe('completed');
    await expect(stateKeys()).resolves.toEqual([]);
    expect(await redis.ttl(jobKeys(PREFIX, jobId).record)).toBeGreaterThan(0);
  });

  it('continues a sampled generation with the same random stream after the handoff', async () => {
    const options: GenerationOptions = { ...GREEDY_PRUNED, temperature: 0.9, topK: 20, topP: 0.95, seed: 1234, maxTokens: 16 };
    const input: JobInput = { kind: 'chat', messages: [{ role: 'user', content: 'tell me a story' }] };
    const expected = await inProcess(input, options);
    const events = await eventsUntilEnd(await submit(input, options));
    expect(tokenEvents(events).map((e) => e.token)).toEqual(expected.tokens);
    expect(resultOf(events).text).toBe(expected.text);
  });

  it('cuts a document-QA answer at a stop string and streams nothing of the stop string', async () => {
    const input: JobInput = { kind: 'document-qa', documents: [{ title: 'Cats', text: 'the cat is on the mat' }, { text: 'an apple and the sea' }], question: 'where is the cat' };
    const options: GenerationOptions = { ...GREEDY_PRUNED, maxTokens: 24, schedule: 'none' };
    const full = await inProcess(input, options);
    const stop = full.text.slice(Math.floor(full.text.length / 2), Math.floor(full.text.length / 2) + 2);
    const expected = await inProcess(input, { ...options, stop: [stop] });
    expect(expected.text.length).toBeLessThan(full.text.length);

    const events = await eventsUntilEnd(await submit(input, { ...options, stop: [stop] }));
    const result = resultOf(events);
    expect(result.text).toBe(expected.text);
    expect(result.text).not.toContain(stop);
    expect(result.finishReason).toBe('stop');
    expect(tokenEvents(events).map((e) => e.text).join('')).toBe(expected.text);
  });

  it('finishes in the prefill worker when the first token ends the generation', async () => {
    const input: JobInput = { kind: 'prompt', prompt: 'the sea', chat: false };
    const expected = await inProcess(input, { ...GREEDY_PRUNED, maxTokens: 1 });
    const jobId = await submit(input, { ...GREEDY_PRUNED, maxTokens: 1 });
    const events = await eventsUntilEnd(jobId);
    expect(resultOf(events)).toMatchObject({ tokens: expected.tokens, finishReason: 'length' });
    await expect(decodeQueue.getJob(jobId)).resolves.toBeUndefined();
    await expect(stateKeys()).resolves.toEqual([]);
  });

  it('fails a prompt longer than the context window at once, with the reason, without retrying', async () => {
    const jobId = await submit({ kind: 'prompt', prompt: 'the cat and the hat '.repeat(100), chat: false }, GREEDY_PRUNED);
    const events = await eventsUntilEnd(jobId);
    expect(events).toEqual([{ type: 'failed', reason: expect.stringMatching(/context window is 256 tokens/) }]);
    expect(await store.get(jobId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/context window/) });
    expect((await prefillQueue.getJob(jobId))?.attemptsMade).toBe(1);
  });

  it('ends a job cancelled before a worker took it', async () => {
    const jobId = `job-${++jobCount}`;
    const acceptedAt = Date.now();
    await store.create(newJobRecord(jobId, acceptedAt));
    await store.requestCancel(jobId);
    await enqueuePrefill(prefillQueue, { jobId, input: { kind: 'prompt', prompt: 'the sea', chat: false }, options: GREEDY_PRUNED, acceptedAt });
    await expect(eventsUntilEnd(jobId)).resolves.toEqual([{ type: 'cancelled' }]);
    expect(await store.get(jobId)).toMatchObject({ status: 'cancelled' });
  });

  describe('a decode job whose state is not usable', () => {
    /** A real handed-over state for a new job, stored as a prefill worker stores it, and the job's decode data. */
    async function handOver(): Promise<{ jobId: string; stateRef: string }> {
      const jobId = `job-${++jobCount}`;
      await store.create(newJobRecord(jobId, Date.now()));
      await store.update(jobId, { status: 'prefill' });
      const generation = await Generation.start(model, tokenizer.encode('the cat sat'), generationParams(GREEDY_PRUNED, tokenizer, model.config.layerCount));
      const states = new RedisStateStore(redis, PREFIX, { ttlSeconds: 600, chunkBytes: 1 << 20 });
      return { jobId, stateRef: await states.save(jobId, 1, serializeGeneration(generation)) };
    }

    async function decode(jobId: string, stateRef: string): Promise<JobEvent[]> {
      const prefill = { promptTokens: 3, queueWaitMs: 0, prefillMs: 1, handoffMs: 1, handoffBytes: 1, computedShare: 1, firstTokenAt: Date.now() };
      await enqueueDecode(decodeQueue, { jobId, stateRef, prefill, stop: [], acceptedAt: Date.now() });
      return eventsUntilEnd(jobId);
    }

    it('fails the job for good with the codec reason when a byte of the state was flipped', async () => {
      const { jobId, stateRef } = await handOver();
      const chunkKey = stateChunkKey(PREFIX, stateRef, 0);
      const chunk = (await redis.getBuffer(chunkKey))!;
      chunk[Math.floor(chunk.length / 2)] ^= 0x01;
      await redis.set(chunkKey, chunk, 'KEEPTTL');

      const events = await decode(jobId, stateRef);
      expect(events).toEqual([{ type: 'failed', reason: expect.stringMatching(/generation state refused, checksum mismatch/) }]);
      expect(await store.get(jobId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/checksum mismatch/) });
      expect((await decodeQueue.getJob(jobId))?.attemptsMade).toBe(1);
      await expect(stateKeys()).resolves.toEqual([]);
    });

    it('fails the job for good when the state is gone', async () => {
      const { jobId, stateRef } = await handOver();
      await redis.del(`${PREFIX}:${stateRef}`);
      const events = await decode(jobId, stateRef);
      expect(events).toEqual([{ type: 'failed', reason: expect.stringMatching(/not found: it expired, was deleted, or was never completely written/) }]);
      expect((await decodeQueue.getJob(jobId))?.attemptsMade).toBe(1);
    });
  });
});
