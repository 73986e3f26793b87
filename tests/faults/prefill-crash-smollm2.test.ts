import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import { resolveModelPath } from '@lazyllm/engine';
import { RestartableRedis } from '../support/restartable-redis';
import { ServiceProcess } from '../support/service-process';
import { JobDriver, resultOf, tokenEvents } from '../support/job-driver';

const PREFIX = '{prefill-crash}';
const GREEDY: GenerationOptions = { maxTokens: 12, temperature: 0, topK: 0, topP: 1, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f16' };
// About 1,500 tokens: several seconds of prefill on two cores, so a kill lands in the middle of it.
const DOCUMENTS = Array.from({ length: 12 }, (_, i) => ({
  title: `Report ${i + 1}`,
  text: `Station ${i + 1} recorded ${10 + i} millimetres of rain in March and ${20 + i} in April. `.repeat(8),
}));
const INPUT: JobInput = { kind: 'document-qa', documents: DOCUMENTS, question: 'How much rain did station 7 record in April?' };

describe('a prefill worker SIGKILLed in the middle of a SmolLM2 prefill', () => {
  let redis: RestartableRedis;
  let driver: JobDriver;
  let env: NodeJS.ProcessEnv;
  const apps: ServiceProcess[] = [];
  const start = async (pool: 'prefill' | 'decode') => {
    const app = await ServiceProcess.start(pool, `apps/${pool}-worker/src/main.ts`, env, pool === 'prefill' ? /PrefillProcessor.*ready/ : /DecodeProcessor.*ready/);
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    redis = await RestartableRedis.start();
    driver = new JobDriver(redis.url, PREFIX);
    env = { ...process.env, MODEL_PATH: resolveModelPath(), REDIS_URL: redis.url, QUEUE_PREFIX: PREFIX, NO_COLOR: '1', WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.kill()));
    await driver?.close();
    await redis?.stop();
  });

  it('is retried by another prefill worker and gives the fault-free answer, each token once', async () => {
    const [doomed] = await Promise.all([start('prefill'), start('decode')]);
    // Without the prefix cache, so the doomed job dies computing the documents' prefix under the cache's lock.
    const reference = resultOf(await driver.eventsUntilEnd(await driver.submit({ ...INPUT, reusePrefix: false }, GREEDY), 180_000));

    const jobId = await driver.submit(INPUT, GREEDY);
    const deadline = Date.now() + 30_000;
    while ((await driver.store.get(jobId))?.status !== 'prefill') {
      if (Date.now() > deadline) throw new Error('the prefill did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await driver.store.publishedTokenCount(jobId)).toBe(0);
    await doomed.kill();
    const killedAt = Date.now();
    await start('prefill');

    const events = await driver.eventsUntilEnd(jobId, 180_000);
    // The dead worker's prefix lock lapses with its lease (10 s), long before the 120 s waiters' limit.
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    expect(tokenEvents(events).map((e) => e.index)).toEqual(reference.tokens.map((_, i) => i));
    expect(resultOf(events)).toMatchObject({ text: reference.text, tokens: reference.tokens });
    expect((await driver.prefillQueue.getJob(jobId))?.stalledCounter).toBeGreaterThanOrEqual(1);
    await expect(driver.stateKeys()).resolves.toEqual([]);
  }, 600_000);
});
