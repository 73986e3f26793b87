import { join } from 'node:path';
import { buildApps, type AppBuild } from '../e2e/support/app-build';
import { readEventStream } from '../e2e/support/sse';
import { RestartableRedis } from '../support/restartable-redis';
import { ServiceProcess } from '../support/service-process';
import { makeScratchDir } from '../support/tiny-fixture';
import { writeTinyLlama } from '../support/tiny-gguf';
import { JobDriver } from '../support/job-driver';

const PREFIX = '{restart}';
const PORT = 3000 + Math.floor(Math.random() * 2000) + 20_000;
const BASE = `http://127.0.0.1:${PORT}`;
// Greedy and exact (f32 handoff), long enough to be running when Redis goes down.
const REQUEST = { prompt: 'the cat sat on the mat and the dog', chat: false, maxTokens: 700, temperature: 0, schedule: { layers: [2], percentiles: [50] }, kvPrecision: 'f32' };

async function submit(body: object = REQUEST): Promise<string> {
  const response = await fetch(`${BASE}/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

/** The job's stream through the gateway: token indices must be 0..n-1 once each, then exactly one 'done'. */
async function answerOf(id: string): Promise<number[]> {
  const { messages } = await readEventStream(`${BASE}/jobs/${id}/events`, {}, 90_000);
  const tokens = messages.flatMap((m) => (m.data.type === 'token' ? [m.data] : []));
  expect(tokens.map((t) => t.index)).toEqual(tokens.map((_, i) => i));
  expect(messages.filter((m) => m.data.type !== 'token').map((m) => m.type)).toEqual(['done']);
  return tokens.map((t) => t.token);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Redis restarted (append-only file on) under the whole service, and SIGTERM on the gateway', () => {
  const scratch = makeScratchDir();
  const modelPath = join(scratch.path, 'tiny.gguf');
  let build: AppBuild;
  let redis: RestartableRedis;
  let driver: JobDriver;
  const apps: ServiceProcess[] = [];
  let gateway: ServiceProcess;

  beforeAll(async () => {
    writeTinyLlama(modelPath, { contextLength: 2048 });
    [build, redis] = await Promise.all([buildApps(), RestartableRedis.start()]);
    driver = new JobDriver(redis.url, PREFIX);
    const env = { ...process.env, MODEL_PATH: modelPath, REDIS_URL: redis.url, QUEUE_PREFIX: PREFIX, THREADS: '1', NO_COLOR: '1', PORT: String(PORT), WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
    gateway = await ServiceProcess.start('gateway', build.entry('gateway'), env, /listening on/);
    apps.push(
      gateway,
      await ServiceProcess.start('prefill', build.entry('prefill-worker'), env, /PrefillProcessor.*ready/),
      await ServiceProcess.start('decode', build.entry('decode-worker'), env, /DecodeProcessor.*ready/),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.kill()));
    await driver?.close();
    await redis?.stop();
    build?.remove();
    scratch.remove();
  });

  it('loses no job that was waiting or running, and the apps reconnect by themselves', async () => {
    const reference = await answerOf(await submit());
    expect(reference.length).toBeGreaterThan(300);

    const ids = [await submit(), await submit(), await submit()];
    await driver.untilTokens(ids[0], 50);
    // Prefill is quick with the tiny model: the later jobs wait in the decode queue behind the running one.
    expect(await driver.decodeQueue.getWaitingCount()).toBeGreaterThan(0);
    await redis.restart(1500);

    for (const id of ids) expect(await answerOf(id)).toEqual(reference);
    await until(async () => (await fetch(`${BASE}/health`)).status === 200, 'the gateway to be healthy again');
    expect(await answerOf(await submit())).toEqual(reference);
    await expect(driver.stateKeys()).resolves.toEqual([]);
    expect(apps.every((app) => app.alive)).toBe(true);
  });

  it('exits with code 0 on SIGTERM while a client streams a running job', async () => {
    const id = await submit();
    const stream = fetch(`${BASE}/jobs/${id}/events`, { headers: { Accept: 'text/event-stream' } }).then((r) => r.text()).catch(() => '');
    await driver.untilTokens(id, 20);
    const started = Date.now();
    await expect(gateway.stop()).resolves.toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    await stream;
    // The workers did not depend on the gateway: the job still completes.
    const events = await driver.eventsUntilEnd(id);
    expect(events[events.length - 1].type).toBe('done');
  });
});
