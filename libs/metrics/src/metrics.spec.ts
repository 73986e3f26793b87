import type { JobRecord } from '@lazyllm/contracts';
import { serveMetrics } from './metrics-server';
import { MetricsSettingsError, readMetricsPort } from './metrics-settings';
import { processMetrics } from './process-metrics';
import { queueDepthGauge } from './queue-depth';

const FINISHED: JobRecord & { status: 'completed' } = {
  id: 'j1',
  status: 'completed',
  createdAt: 0,
  updatedAt: 0,
  attempts: 1,
  timings: { queueWaitMs: 100, ttftMs: 1500, prefillMs: 1200, handoffMs: 20, decodeTokensPerSec: 40 },
  result: { text: 'x', tokens: [1], finishReason: 'stop', usage: { promptTokens: 5, completionTokens: 1 }, pruning: { schedule: { layers: [], percentiles: [] }, computedShare: 0.55, revived: 0 } },
};

describe('metrics', () => {
  it('reads METRICS_PORT, refusing what is not a port', () => {
    expect(readMetricsPort({})).toBeUndefined();
    expect(readMetricsPort({ METRICS_PORT: '' })).toBeUndefined();
    expect(readMetricsPort({ METRICS_PORT: '9464' })).toBe(9464);
    expect(() => readMetricsPort({ METRICS_PORT: '70000' })).toThrow(MetricsSettingsError);
    expect(() => readMetricsPort({ METRICS_PORT: 'x' })).toThrow(/METRICS_PORT must be a port number/);
  });

  it('observes a finished job once in every histogram its record feeds, in seconds', async () => {
    const metrics = processMetrics({ pool: 'test' });
    metrics.observeFinishedJob(FINISHED, 3 << 20);
    const text = await metrics.registry.metrics();
    expect(text).toContain('lazyllm_ttft_seconds_sum{pool="test"} 1.5');
    expect(text).toContain('lazyllm_ttft_seconds_bucket{le="2.5",pool="test"} 1');
    expect(text).toContain('lazyllm_ttft_seconds_bucket{le="1",pool="test"} 0');
    expect(text).toContain('lazyllm_computed_share_sum{pool="test"} 0.55');
    expect(text).toContain('lazyllm_handoff_bytes_bucket{le="4194304",pool="test"} 1');
    expect(text).toContain('lazyllm_decode_tokens_per_second_count{pool="test"} 1');
    expect(text).toContain('lazyllm_jobs_finished_total{outcome="completed",pool="test"} 1');
    expect(text).toContain('lazyllm_jobs_finished_total{outcome="failed",pool="test"} 0');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('reads queue depth per pool and state at each scrape', async () => {
    const metrics = processMetrics();
    let waiting = 3;
    queueDepthGauge(metrics.registry, { prefill: { getJobCounts: async () => ({ waiting, active: 1 }) } });
    expect(await metrics.registry.metrics()).toContain('lazyllm_queue_depth{pool="prefill",state="waiting"} 3');
    waiting = 0;
    const text = await metrics.registry.metrics();
    expect(text).toContain('lazyllm_queue_depth{pool="prefill",state="waiting"} 0');
    expect(text).toContain('lazyllm_queue_depth{pool="prefill",state="active"} 1');
    expect(text).toContain('lazyllm_queue_depth{pool="prefill",state="delayed"} 0');
  });

  it('serves /metrics and /health over HTTP, 503 when unhealthy', async () => {
    const metrics = processMetrics();
    let ok = true;
    const server = await serveMetrics({ port: 0, host: '127.0.0.1', registry: metrics.registry, health: () => ({ ok, details: { pool: 'decode' } }) });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      const scrape = await fetch(`${url}/metrics`);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await scrape.text()).toContain('lazyllm_jobs_accepted_total 0');
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok', pool: 'decode' });
      ok = false;
      expect((await fetch(`${url}/health`)).status).toBe(503);
      expect((await fetch(`${url}/other`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
