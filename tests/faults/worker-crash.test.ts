import { join } from 'node:path';
import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import { ChatTemplate, Generation, LlamaModel, readGguf, Tokenizer } from '@lazyllm/engine';
import { promptTokens } from '@lazyllm/prompts';
import { generationParams } from '../../apps/shared/generation-params';
import { RestartableRedis } from '../support/restartable-redis';
import { ServiceProcess } from '../support/service-process';
import { makeScratchDir } from '../support/tiny-fixture';
import { writeTinyLlama } from '../support/tiny-gguf';
import { JobDriver, resultOf, tokenEvents } from '../support/job-driver';

const PREFIX = '{faults}';
// Long enough (about 2 s of decoding with the tiny model) for a fault to land in the middle of it.
const LONG: GenerationOptions = { maxTokens: 1000, temperature: 0, topK: 0, topP: 1, seed: 0, stop: [], schedule: { layers: [2], percentiles: [50] }, kvPrecision: 'f32' };
const MARKER = 'quokka-zebra-marker';
const LONG_INPUT: JobInput = { kind: 'prompt', prompt: `${MARKER} the cat sat on the mat and the dog`, chat: false };

describe('workers killed, stopped, or fed a poison job, on a real Redis', () => {
  const scratch = makeScratchDir();
  const modelPath = join(scratch.path, 'tiny.gguf');
  let redis: RestartableRedis;
  let driver: JobDriver;
  let env: NodeJS.ProcessEnv;
  const processes: ServiceProcess[] = [];
  let expectedTokens: number[];

  const startWorker = async (pool: 'prefill' | 'decode') => {
    const ready = pool === 'prefill' ? /PrefillProcessor.*ready/ : /DecodeProcessor.*ready/;
    const app = await ServiceProcess.start(pool, `apps/${pool}-worker/src/main.ts`, env, ready);
    processes.push(app);
    return app;
  };

  beforeAll(async () => {
    writeTinyLlama(modelPath, { contextLength: 2048 });
    redis = await RestartableRedis.start();
    driver = new JobDriver(redis.url, PREFIX);
    // Lock and stall check shortened (production: 30 s) so a killed worker's job is retried within seconds.
    env = { ...process.env, MODEL_PATH: modelPath, REDIS_URL: redis.url, QUEUE_PREFIX: PREFIX, THREADS: '1', NO_COLOR: '1', WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
    const gguf = readGguf(modelPath);
    const tokenizer = Tokenizer.fromGguf(gguf);
    const model = await LlamaModel.load({ modelPath, threads: 1 });
    const generation = await Generation.start(model, promptTokens(LONG_INPUT, tokenizer, ChatTemplate.fromGguf(gguf)), generationParams(LONG, tokenizer, model.config.layerCount));
    await generation.finish();
    expectedTokens = [...generation.generated];
    await model.release();
    expect(expectedTokens.length).toBeGreaterThan(300);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await driver?.close();
    await redis?.stop();
    scratch.remove();
  });

  it('retries a job whose decode worker was SIGKILLed mid-stream: each token once, one done, the fault-free answer', async () => {
    await startWorker('prefill');
    const doomed = await startWorker('decode');
    const jobId = await driver.submit(LONG_INPUT, LONG);
    const before = await driver.untilTokens(jobId, 100);
    await doomed.kill();
    await startWorker('decode');

    const events = await driver.eventsUntilEnd(jobId);
    const tokens = tokenEvents(events);
    expect(before).toBeLessThan(expectedTokens.length);
    expect(tokens.map((e) => e.index)).toEqual(expectedTokens.map((_, i) => i));
    expect(tokens.map((e) => e.token)).toEqual(expectedTokens);
    expect(resultOf(events).tokens).toEqual(expectedTokens);
    // It came back through stall detection, not by luck of timing.
    expect((await driver.decodeQueue.getJob(jobId))?.stalledCounter).toBeGreaterThanOrEqual(1);
    await expect(driver.stateKeys()).resolves.toEqual([]);
  });

  it('fails a job that keeps failing after its attempts, with its reason, while the others complete', async () => {
    const poison = await driver.submit({ kind: 'not-a-kind' } as unknown as JobInput, LONG);
    const others = await Promise.all([1, 2, 3].map(() => driver.submit(LONG_INPUT, { ...LONG, maxTokens: 20 })));
    const poisonEvents = await driver.eventsUntilEnd(poison);
    expect(poisonEvents).toEqual([{ type: 'failed', reason: expect.any(String) }]);
    const reason = (poisonEvents[0] as { reason: string }).reason;
    const record = await driver.store.get(poison);
    expect(record).toMatchObject({ status: 'failed', error: reason, attempts: 3 });
    const failedJob = await driver.prefillQueue.getJob(poison);
    expect(failedJob?.attemptsMade).toBe(3);
    // Listed among the failed jobs (what the queue dashboard shows) with the same reason.
    const failed = await driver.prefillQueue.getFailed();
    expect(failed.find((job) => job.id === poison)?.failedReason).toBe(reason);
    for (const id of others) expect(resultOf(await driver.eventsUntilEnd(id)).tokens).toEqual(expectedTokens.slice(0, 20));
  });

  it('lets a decode worker stopped with SIGTERM finish its job first and exit with code 0', async () => {
    const decoders = processes.filter((p) => p.name === 'decode' && p.alive);
    const jobId = await driver.submit(LONG_INPUT, LONG);
    await driver.untilTokens(jobId, 50);
    const codes = await Promise.all(decoders.map((p) => p.stop()));
    expect(codes).toEqual(decoders.map(() => 0));
    const events = await driver.eventsUntilEnd(jobId, 5000);
    expect(tokenEvents(events).map((e) => e.token)).toEqual(expectedTokens);
    expect(resultOf(events).tokens).toEqual(expectedTokens);
    expect((await driver.decodeQueue.getJob(jobId))?.stalledCounter).toBe(0);
  });

  it('lets a prefill worker stopped with SIGTERM exit with code 0', async () => {
    const prefill = processes.filter((p) => p.name === 'prefill' && p.alive);
    expect(prefill.length).toBeGreaterThan(0);
    await expect(Promise.all(prefill.map((p) => p.stop()))).resolves.toEqual(prefill.map(() => 0));
  });

  it('leaves no generation state behind and a TTL on every key of the finished jobs', async () => {
    await expect(driver.stateKeys()).resolves.toEqual([]);
    await expect(driver.jobKeysWithoutTtl()).resolves.toEqual([]);
  });

  it('never wrote a prompt or an answer to the logs (LOG_CONTENT unset)', () => {
    const output = processes.flatMap((p) => p.output).join('\n');
    expect(output).toMatch(/DecodeProcessor/);
    expect(output).not.toContain(MARKER);
  });
});
