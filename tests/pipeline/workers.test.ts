import { join } from 'node:path';
import type { GenerationOptions, JobEvent, JobInput } from '@lazyllm/contracts';
import { Generation, serializeGeneration } from '@lazyllm/engine';
import { RedisStateStore } from '@lazyllm/handoff';
import { enqueueDecode, enqueuePrefill, jobKeys, newJobRecord, stateChunkKey } from '@lazyllm/jobs';
import { generationParams } from '../../apps/shared/generation-params';
import { LoadedModel } from '../../apps/shared/loaded-model';
import { eventually } from '../support/eventually';
import { resultOf, tokenEvents } from '../support/job-driver';
import { referenceAnswer } from '../support/reference-answer';
import { useTestRedis } from '../support/redis';
import { makeScratchDir } from '../support/tiny-fixture';
import { writeTinyLlama } from '../support/tiny-gguf';
import { WorkerPools } from './support/worker-pools';

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

describe('prefill and decode workers, each in its own process, on a real Redis', () => {
  const scratch = makeScratchDir();
  const modelPath = join(scratch.path, 'tiny.gguf');
  let engine: LoadedModel;
  let pools: WorkerPools;

  beforeAll(async () => {
    writeTinyLlama(modelPath);
    engine = await LoadedModel.load({ modelPath, threads: 1 });
    pools = await WorkerPools.start(modelPath, server.url, PREFIX);
  }, 120_000);

  afterAll(async () => {
    // Each worker finishes what it runs and exits cleanly on SIGTERM.
    const codes = await pools?.stop();
    await engine?.model.release();
    scratch.remove();
    expect(codes).toEqual([0, 0]);
  });

  it('streams and finishes exactly what the in-process engine generates, and removes the handed-over state', async () => {
    const input: JobInput = { kind: 'prompt', prompt: 'the cat sat on the mat and', chat: true };
    const expected = await referenceAnswer(engine, input, GREEDY_PRUNED);
    expect(expected.tokens.length).toBeGreaterThan(1);
    const jobId = await pools.submit(input, GREEDY_PRUNED);
    const events = await pools.eventsUntilEnd(jobId);

    const tokens = tokenEvents(events);
    expect(tokens.map((e) => e.index)).toEqual(expected.tokens.map((_, i) => i));
    expect(tokens.map((e) => e.token)).toEqual(expected.tokens);
    expect(tokens.map((e) => e.text)).toEqual(expected.pieces);
    const result = resultOf(events);
    expect(result).toMatchObject({ text: expected.text, tokens: expected.tokens, usage: { completionTokens: expected.tokens.length } });
    expect(result.pruning.schedule).toEqual(GREEDY_PRUNED.schedule);
    expect(result.pruning.computedShare).toBeLessThan(1);

    const record = await pools.store.get(jobId);
    expect(record).toMatchObject({ status: 'completed', result });
    for (const timing of ['queueWaitMs', 'ttftMs', 'prefillMs', 'handoffMs', 'decodeMs', 'decodeTokensPerSec', 'totalMs'] as const) {
      expect({ timing, value: typeof record!.timings[timing] }).toEqual({ timing, value: 'number' });
    }
    const decodeJob = await pools.decodeQueue.getJob(jobId);
    expect(decodeJob?.data.prefill.handoffBytes).toBeGreaterThan(0);
    await expect(eventually(() => decodeJob!.getState(), (state) => state !== 'active')).resolves.toBe('completed');
    await expect(pools.stateKeys()).resolves.toEqual([]);
    expect(await pools.redis.ttl(jobKeys(PREFIX, jobId).record)).toBeGreaterThan(0);
  });

  it('continues a sampled generation with the same random stream after the handoff', async () => {
    const options: GenerationOptions = { ...GREEDY_PRUNED, temperature: 0.9, topK: 20, topP: 0.95, seed: 1234, maxTokens: 16 };
    const input: JobInput = { kind: 'chat', messages: [{ role: 'user', content: 'tell me a story' }] };
    const expected = await referenceAnswer(engine, input, options);
    const events = await pools.eventsUntilEnd(await pools.submit(input, options));
    expect(tokenEvents(events).map((e) => e.token)).toEqual(expected.tokens);
    expect(resultOf(events).text).toBe(expected.text);
  });

  it('cuts a document-QA answer at a stop string and streams nothing of the stop string', async () => {
    const input: JobInput = { kind: 'document-qa', documents: [{ title: 'Cats', text: 'the cat is on the mat' }, { text: 'an apple and the sea' }], question: 'where is the cat' };
    const options: GenerationOptions = { ...GREEDY_PRUNED, maxTokens: 24, schedule: 'none' };
    const full = await referenceAnswer(engine, input, options);
    const stop = full.text.slice(Math.floor(full.text.length / 2), Math.floor(full.text.length / 2) + 2);
    const expected = await referenceAnswer(engine, input, { ...options, stop: [stop] });
    expect(expected.text.length).toBeLessThan(full.text.length);

    const events = await pools.eventsUntilEnd(await pools.submit(input, { ...options, stop: [stop] }));
    const result = resultOf(events);
    expect(result.text).toBe(expected.text);
    expect(result.text).not.toContain(stop);
    expect(result.finishReason).toBe('stop');
    expect(tokenEvents(events).map((e) => e.text).join('')).toBe(expected.text);
  });

  it('finishes in the prefill worker when the first token ends the generation', async () => {
    const input: JobInput = { kind: 'prompt', prompt: 'the sea', chat: false };
    const expected = await referenceAnswer(engine, input, { ...GREEDY_PRUNED, maxTokens: 1 });
    const jobId = await pools.submit(input, { ...GREEDY_PRUNED, maxTokens: 1 });
    const events = await pools.eventsUntilEnd(jobId);
    expect(resultOf(events)).toMatchObject({ tokens: expected.tokens, finishReason: 'length' });
    await expect(pools.decodeQueue.getJob(jobId)).resolves.toBeUndefined();
    await expect(pools.stateKeys()).resolves.toEqual([]);
  });

  it('fails a prompt longer than the context window at once, with the reason, without retrying', async () => {
    const jobId = await pools.submit({ kind: 'prompt', prompt: 'the cat and the hat '.repeat(100), chat: false }, GREEDY_PRUNED);
    const events = await pools.eventsUntilEnd(jobId);
    expect(events).toEqual([{ type: 'failed', reason: expect.stringMatching(/context window is 256 tokens/) }]);
    expect(await pools.store.get(jobId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/context window/) });
    expect((await pools.prefillQueue.getJob(jobId))?.attemptsMade).toBe(1);
  });

  it('ends a job cancelled before a worker took it', async () => {
    const jobId = 'cancelled-before-start';
    const acceptedAt = Date.now();
    await pools.store.create(newJobRecord(jobId, acceptedAt));
    await pools.store.requestCancel(jobId);
    await enqueuePrefill(pools.prefillQueue, { jobId, input: { kind: 'prompt', prompt: 'the sea', chat: false }, options: GREEDY_PRUNED, acceptedAt });
    await expect(pools.eventsUntilEnd(jobId)).resolves.toEqual([{ type: 'cancelled' }]);
    expect(await pools.store.get(jobId)).toMatchObject({ status: 'cancelled' });
  });

  describe('a decode job whose state is not usable', () => {
    /** A real handed-over state for a new job, stored as a prefill worker stores it, and the job's decode data. */
    async function handOver(jobId: string): Promise<{ jobId: string; stateRef: string }> {
      await pools.store.create(newJobRecord(jobId, Date.now()));
      await pools.store.update(jobId, { status: 'prefill' });
      const generation = await Generation.start(engine.model, engine.tokenizer.encode('the cat sat'), generationParams(GREEDY_PRUNED, engine.tokenizer, engine.model.config.layerCount));
      const states = new RedisStateStore(pools.redis, PREFIX, { ttlSeconds: 600, chunkBytes: 1 << 20 });
      return { jobId, stateRef: await states.save(jobId, 1, serializeGeneration(generation)) };
    }

    async function decode(jobId: string, stateRef: string): Promise<JobEvent[]> {
      const prefill = { promptTokens: 3, queueWaitMs: 0, prefillMs: 1, handoffMs: 1, handoffBytes: 1, computedShare: 1, firstTokenAt: Date.now() };
      await enqueueDecode(pools.decodeQueue, { jobId, stateRef, prefill, stop: [], acceptedAt: Date.now() });
      return pools.eventsUntilEnd(jobId);
    }

    it('fails the job for good with the codec reason when a byte of the state was flipped', async () => {
      const { jobId, stateRef } = await handOver('flipped-state-byte');
      const chunkKey = stateChunkKey(PREFIX, stateRef, 0);
      const chunk = (await pools.redis.getBuffer(chunkKey))!;
      chunk[Math.floor(chunk.length / 2)] ^= 0x01;
      await pools.redis.set(chunkKey, chunk, 'KEEPTTL');

      const events = await decode(jobId, stateRef);
      expect(events).toEqual([{ type: 'failed', reason: expect.stringMatching(/generation state refused, checksum mismatch/) }]);
      expect(await pools.store.get(jobId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/checksum mismatch/) });
      expect((await pools.decodeQueue.getJob(jobId))?.attemptsMade).toBe(1);
      await expect(pools.stateKeys()).resolves.toEqual([]);
    });

    it('fails the job for good when the state is gone', async () => {
      const { jobId, stateRef } = await handOver('state-gone');
      await pools.redis.del(`${PREFIX}:${stateRef}`);
      const events = await decode(jobId, stateRef);
      expect(events).toEqual([{ type: 'failed', reason: expect.stringMatching(/not found: it expired, was deleted, or was never completely written/) }]);
      expect((await pools.decodeQueue.getJob(jobId))?.attemptsMade).toBe(1);
    });
  });
});
