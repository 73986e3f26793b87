/**
 * The OpenAI-compatible API as deployed: Redis, the gateway and one process of each worker pool, each a
 * separate process running the compiled app, driven by the official `openai` client. Answers must equal
 * what the engine produces in this process for the same request.
 */
import OpenAI from 'openai';
import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import { freePort } from '../../libs/redis-server/src/tcp';
import { referenceAnswer, type ReferenceAnswer } from '../support/reference-answer';
import { DeployedService } from './support/deployed-service';

const MAX_TOKENS = 12;
/** Greedy, so the seed and the sampling filters do not matter. */
const OPTIONS: GenerationOptions = { maxTokens: MAX_TOKENS, temperature: 0, topK: 0, topP: 1, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f32' };
const KEY = 'e2e-key';

describe('the openai client against the service: gateway, a prefill and a decode worker process, Redis', () => {
  let service: DeployedService;
  let gatewayUrl: string;
  /** Where each worker serves /metrics and /health (METRICS_PORT). */
  let workerMetricsUrls: { prefill: string; decode: string };
  let client: OpenAI;

  beforeAll(async () => {
    const [prefillMetrics, decodeMetrics] = await Promise.all([freePort(), freePort()]);
    service = await DeployedService.start(
      [
        { pool: 'prefill', env: { METRICS_PORT: String(prefillMetrics) } },
        { pool: 'decode', env: { METRICS_PORT: String(decodeMetrics) } },
      ],
      { API_KEYS: KEY },
    );
    gatewayUrl = service.gatewayUrl;
    workerMetricsUrls = { prefill: `http://127.0.0.1:${prefillMetrics}`, decode: `http://127.0.0.1:${decodeMetrics}` };
    client = new OpenAI({ apiKey: KEY, baseURL: `${gatewayUrl}/v1`, maxRetries: 0, timeout: 90_000 });
  }, 240_000);

  afterAll(async () => {
    await expect(service?.stop()).resolves.toEqual([0, 0, 0]);
  }, 60_000);

  /** The answer the engine gives in this process. */
  function reference(input: JobInput): Promise<ReferenceAnswer> {
    return referenceAnswer(service.engine, input, OPTIONS);
  }

  it('lists the served model', async () => {
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['SmolLM2-135M-Instruct.Q4_1']);
  });

  it('answers a chat completion, not streamed, as the engine does', async () => {
    const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
    const [completion, expected] = await Promise.all([
      client.chat.completions.create({ model: 'SmolLM2-135M-Instruct.Q4_1', messages, max_tokens: MAX_TOKENS, temperature: 0 }),
      reference({ kind: 'chat', messages }),
    ]);
    expect(completion.choices[0].message.content).toBe(expected.text);
    expect(completion.choices[0].finish_reason).toBe(expected.finishReason);
    expect(completion.usage?.completion_tokens).toBe(expected.tokens.length);
    expect(completion.usage?.prompt_tokens).toBe(expected.promptTokens);
    const stats = (completion as unknown as { lazyllm: { computed_share: number; timings: Record<string, number> } }).lazyllm;
    expect(stats.computed_share).toBeGreaterThan(0);
    expect(stats.computed_share).toBeLessThan(1);
    expect(stats.timings.ttft_ms).toBeGreaterThan(0);
  }, 120_000);

  it('streams a chat completion whose chunks add up to the same answer', async () => {
    const messages = [{ role: 'user' as const, content: 'Name three colours.' }];
    const expected = await reference({ kind: 'chat', messages });
    const stream = await client.chat.completions.create({ model: 'SmolLM2-135M-Instruct.Q4_1', messages, max_tokens: MAX_TOKENS, temperature: 0, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(expected.text);
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter((r) => r)).toEqual([expected.finishReason]);
    expect(chunks[chunks.length - 1].usage?.completion_tokens).toBe(expected.tokens.length);
  }, 120_000);

  it('completes raw text, streamed and not, as the engine does', async () => {
    const prompt = 'The three primary colours are';
    const expected = await reference({ kind: 'prompt', prompt, chat: false });
    const whole = await client.completions.create({ model: 'SmolLM2-135M-Instruct.Q4_1', prompt, max_tokens: MAX_TOKENS, temperature: 0 });
    expect(whole.choices[0].text).toBe(expected.text);
    const stream = await client.completions.create({ model: 'SmolLM2-135M-Instruct.Q4_1', prompt, max_tokens: MAX_TOKENS, temperature: 0, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(expected.text);
  }, 120_000);

  /** One series' value from a Prometheus scrape. */
  async function scrape(url: string): Promise<(series: string) => number> {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    return (series) => Number(metrics.split('\n').find((line) => line.startsWith(`${series} `))?.split(' ')[1]);
  }

  it('shows the handed-off jobs in the gateway metrics and both pools in its service health', async () => {
    const count = await scrape(gatewayUrl);
    expect(count('lazyllm_jobs_finished_total{outcome="completed"}')).toBe(4);
    expect(count('lazyllm_handoff_bytes_count')).toBeGreaterThan(0);
    expect(count('lazyllm_decode_tokens_per_second_count')).toBeGreaterThan(0);
    const health = await fetch(`${gatewayUrl}/health/service`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ info: { pools: { prefill: { workers: 1 }, decode: { workers: 1 } } } });
  });

  it('serves each worker\'s own metrics and health on its METRICS_PORT', async () => {
    const prefill = await scrape(workerMetricsUrls.prefill);
    expect(prefill('lazyllm_prefill_seconds_count{pool="prefill"}')).toBe(4);
    expect(prefill('lazyllm_computed_share_count{pool="prefill"}')).toBe(4);
    expect(prefill('lazyllm_handoff_bytes_count{pool="prefill"}')).toBeGreaterThan(0);
    const decode = await scrape(workerMetricsUrls.decode);
    expect(decode('lazyllm_decode_tokens_per_second_count{pool="decode"}')).toBe(prefill('lazyllm_handoff_bytes_count{pool="prefill"}'));
    for (const [pool, url] of Object.entries(workerMetricsUrls)) {
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', pool, modelLoaded: true, redis: 'ready' });
    }
  });
});
