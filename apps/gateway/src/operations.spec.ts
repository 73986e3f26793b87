import { workerOptions } from '@lazyllm/jobs';
import { Worker } from 'bullmq';
import { parse as parseYaml } from 'yaml';
import { startInProcessGateway, type InProcessGateway } from '../../../tests/e2e/support/in-process-gateway';
import { ScriptedPool } from '../../../tests/e2e/support/scripted-pool';
import { useTestRedis } from '../../../tests/support/redis';

const redis = useTestRedis();
const KEY = 'ops-key';

/** The value of one series in Prometheus' text format, e.g. `lazyllm_ttft_seconds_count`. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('gateway operations: docs, dashboard, health, metrics, API keys (real Redis)', () => {
  let gateway: InProcessGateway;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}${path}`, { headers, redirect: 'manual' });
  const auth = { Authorization: `Bearer ${KEY}` };

  beforeAll(async () => {
    gateway = await startInProcessGateway(redis.url, { apiKeys: [KEY] });
  });

  afterAll(() => gateway.close());

  it('describes the API in OpenAPI, generated from the DTOs, behind the key', async () => {
    expect((await get('/docs/openapi.json')).status).toBe(401);
    const document = (await (await get('/docs/openapi.json', auth)).json()) as { paths: Record<string, object>; components: { schemas: Record<string, { properties: Record<string, object> }> } };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/jobs', '/jobs/{id}', '/jobs/{id}/events', '/batches', '/v1/completions', '/v1/chat/completions', '/v1/models', '/health', '/metrics']));
    expect(Object.keys(document.components.schemas.CreateJobDto.properties)).toEqual(expect.arrayContaining(['prompt', 'messages', 'documents', 'question', 'maxTokens', 'schedule', 'kvPrecision']));
    expect(Object.keys(document.components.schemas.CreateChatCompletionDto.properties)).toEqual(expect.arrayContaining(['model', 'messages', 'stream', 'schedule', 'kv_precision']));
    const yaml = parseYaml(await (await get('/docs/openapi.yaml', auth)).text()) as { openapi: string };
    expect(yaml.openapi).toMatch(/^3\./);
    const page = await get('/docs', auth);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
  });

  it('lets a browser in to the dashboard with ?api_key= once, through an HttpOnly cookie', async () => {
    expect((await get('/admin/queues')).status).toBe(401);
    expect((await get('/admin/queues?api_key=wrong')).status).toBe(401);
    const login = await get('/admin/queues?api_key=ops-key');
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/queues');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^lazyllm_api_key=ops-key; Path=\/; HttpOnly; SameSite=Strict/);
    const page = await get('/admin/queues', { Cookie: cookie.split(';')[0] });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('LazyLLM queues');
    const queues = (await (await get('/admin/queues/api/queues', auth)).json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(queues.queues.map((q) => [q.name, q.readOnlyMode])).toEqual(expect.arrayContaining([['prefill', true], ['decode', true]]));
    // The cookie opens the browser pages only, never the API.
    expect((await get('/jobs/x', { Cookie: cookie.split(';')[0] })).status).toBe(401);
  });

  it('reports the gateway healthy with Redis, and the service unhealthy until each pool has a worker', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', info: { redis: { status: 'up' } } });

    const without = await get('/health/service');
    expect(without.status).toBe(503);
    expect(await without.json()).toMatchObject({ status: 'error', error: { pools: { status: 'down', prefill: { workers: 0 }, decode: { workers: 0 } } } });

    const idle = async () => undefined;
    const workers = [gateway.queue.prefillQueue, gateway.queue.decodeQueue].map((name) => new Worker(name, idle, workerOptions(gateway.queue, 1)));
    try {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      const up = await get('/health/service');
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ status: 'ok', info: { pools: { prefill: { workers: 1 }, decode: { workers: 1 } } } });
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it('exposes process metrics, queue depth per pool, and each finished job once in the histograms', async () => {
    const submit = (prompt: string) => fetch(`${gateway.url}/jobs`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt, maxTokens: 4 }) });
    const before = await (await get('/metrics')).text();
    expect(sample(before, 'lazyllm_queue_depth{pool="prefill",state="waiting"}')).toBe(0);
    expect(sample(before, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    await Promise.all(['a', 'b', 'c'].map(submit));
    const queued = await (await get('/metrics')).text();
    expect(sample(queued, 'lazyllm_queue_depth{pool="prefill",state="waiting"}')).toBe(3);
    expect(sample(queued, 'lazyllm_jobs_accepted_total')).toBe(3);

    const pool = new ScriptedPool(gateway.queue, gateway.model.tokenizer, { answer: () => 'Yes.' });
    try {
      let metrics = '';
      for (let i = 0; i < 100 && sample(metrics, 'lazyllm_jobs_finished_total{outcome="completed"}') !== 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        metrics = await (await get('/metrics')).text();
      }
      expect(sample(metrics, 'lazyllm_jobs_finished_total{outcome="completed"}')).toBe(3);
      expect(sample(metrics, 'lazyllm_ttft_seconds_count')).toBe(3);
      expect(sample(metrics, 'lazyllm_ttft_seconds_sum')).toBeCloseTo(0.075);
      expect(sample(metrics, 'lazyllm_decode_tokens_per_second_count')).toBe(3);
      expect(sample(metrics, 'lazyllm_computed_share_bucket{le="0.6"}')).toBe(3);
      expect(sample(metrics, 'lazyllm_handoff_seconds_count')).toBe(3);
      expect(sample(metrics, 'lazyllm_queue_depth{pool="prefill",state="waiting"}')).toBe(0);
      // A later scrape does not count them again.
      expect(sample(await (await get('/metrics')).text(), 'lazyllm_ttft_seconds_count')).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it('counts a job cancelled before any worker took it', async () => {
    const created = await fetch(`${gateway.url}/jobs`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'x' }) });
    const { id } = (await created.json()) as { id: string };
    await fetch(`${gateway.url}/jobs/${id}`, { method: 'DELETE', headers: auth });
    expect(sample(await (await get('/metrics')).text(), 'lazyllm_jobs_finished_total{outcome="cancelled"}')).toBe(1);
  });
});

