import OpenAI from 'openai';
import { createRedisClient, JobStore, type PrefillQueue } from '@lazyllm/jobs';
import type { Redis } from 'ioredis';
import { startInProcessGateway, type InProcessGateway } from '../../../../tests/e2e/support/in-process-gateway';
import { ScriptedPool } from '../../../../tests/e2e/support/scripted-pool';
import { useTestRedis } from '../../../../tests/support/redis';
import { PREFILL_QUEUE } from '../job-queue/job-queue.module';

const redis = useTestRedis();

const ANSWER = 'Paris is the capital of France.';
const KEY = 'sk-test-key';

/** The OpenAI client's params with LazyLLM's extra fields, which it sends as they are. */
function withExtras<T extends object>(params: T, extras: Record<string, unknown>): T {
  return { ...params, ...extras };
}

interface LazyLlmFields {
  lazyllm: { job_id: string; computed_share: number; revived: number; schedule: object; timings: Record<string, number> };
}

describe('OpenAI-compatible API through the openai client (real Redis, scripted workers)', () => {
  let gateway: InProcessGateway;
  let pool: ScriptedPool;
  let client: OpenAI;
  let model: string;
  let store: JobStore;
  let connection: Redis;

  beforeAll(async () => {
    gateway = await startInProcessGateway(redis.url, { apiKeys: [KEY, 'another-key'], maxPromptTokens: 200 });
    pool = new ScriptedPool(gateway.queue, gateway.model.tokenizer, { answer: () => ANSWER });
    client = new OpenAI({ apiKey: KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    model = (await client.models.list()).data[0].id;
    connection = createRedisClient(redis.url);
    store = new JobStore(connection, gateway.queue.prefix);
  });

  afterAll(async () => {
    await pool.close();
    await gateway.close();
    store.close();
    await connection.quit();
  });

  it('lists the served model under its file name, and 404s another', async () => {
    expect(model).toBe('SmolLM2-135M-Instruct.Q4_1');
    expect((await client.models.retrieve(model)).object).toBe('model');
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers a chat completion with the text, usage and LazyLLM statistics', async () => {
    const completion = await client.chat.completions.create(
      withExtras({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }], temperature: 0 }, { schedule: { layers: [8], percentiles: [50] } }),
    );
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices).toEqual([{ index: 0, message: { role: 'assistant', content: ANSWER, refusal: null }, logprobs: null, finish_reason: 'stop' }]);
    const completionTokens = gateway.model.tokenizer.encode(ANSWER, { addBos: false }).length;
    expect(completion.usage).toEqual({ prompt_tokens: 11, completion_tokens: completionTokens, total_tokens: 11 + completionTokens });
    const { lazyllm } = completion as unknown as LazyLlmFields;
    expect(completion.id).toBe(`chatcmpl-${lazyllm.job_id}`);
    expect(lazyllm).toMatchObject({ computed_share: 0.6, revived: 1, schedule: { layers: [8], percentiles: [50] }, timings: { ttft_ms: 25, decode_tokens_per_sec: 80 } });

    // What the prefill pool was given: the chat messages, OpenAI's defaults, and the extra schedule.
    const job = await gateway.app.get<PrefillQueue>(PREFILL_QUEUE).getJob(lazyllm.job_id);
    expect(job?.data).toMatchObject({
      input: { kind: 'chat', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }] },
      options: { temperature: 0, topP: 1, topK: 0, maxTokens: 4096, stop: [], schedule: { layers: [8], percentiles: [50] }, kvPrecision: 'f32' },
    });
  });

  it('completes raw text with max_tokens, finish_reason length', async () => {
    const completion = await client.completions.create({ model, prompt: 'The capital of France is', max_tokens: 3, temperature: 0 });
    expect(completion.object).toBe('text_completion');
    const tokens = gateway.model.tokenizer.encode(ANSWER, { addBos: false }).slice(0, 3);
    expect(completion.choices[0]).toMatchObject({ index: 0, text: gateway.model.tokenizer.decode(tokens), finish_reason: 'length' });
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('streams chat chunks: the role first, the text, the finish reason, the usage, and [DONE]', async () => {
    const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Capital of France?' }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(ANSWER);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
    const last = chunks[chunks.length - 1];
    const finish = chunks[chunks.length - 2];
    expect(finish.choices[0].finish_reason).toBe('stop');
    expect((finish as unknown as LazyLlmFields).lazyllm.computed_share).toBe(0.6);
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBe(gateway.model.tokenizer.encode(ANSWER, { addBos: false }).length);
  });

  it('streams text completions, ending with data: [DONE] on the wire', async () => {
    const stream = await client.completions.create({ model, prompt: 'Hello', max_tokens: 5, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(gateway.model.tokenizer.decode(gateway.model.tokenizer.encode(ANSWER, { addBos: false }).slice(0, 5)));

    const raw = await fetch(`${gateway.url}/v1/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model, prompt: 'Hello', max_tokens: 2, stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await raw.text()).split('\n\n').filter((e) => e !== '');
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]');
  });

  it('answers bad requests with OpenAI error bodies the client raises', async () => {
    const bad = client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], n: 2 });
    await expect(bad).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(bad).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', message: expect.stringContaining('n is not supported') });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(client.completions.create({ model, prompt: 'word '.repeat(400) })).rejects.toMatchObject({ status: 400, code: 'context_length_exceeded' });
    await expect(client.completions.create(withExtras({ model, prompt: 'x' }, { schedule: 'half' }))).rejects.toMatchObject({ status: 400, message: expect.stringContaining('schedule must be') });
  });

  it('accepts OpenAI parameters sent at their no-op values, and null as the default', async () => {
    const completion = await client.chat.completions.create({
      model,
      messages: [{ role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', content: 'Hi' }],
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logit_bias: {},
      logprobs: false,
      user: 'someone',
      temperature: null,
      stop: null,
      response_format: { type: 'text' },
    });
    expect(completion.choices[0].message.content).toBe(ANSWER);
  });

  it('refuses a missing or wrong API key with 401, and leaves health and metrics open', async () => {
    const stranger = new OpenAI({ apiKey: 'wrong', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(stranger.models.list()).rejects.toMatchObject({ code: 'invalid_api_key' });
    expect((await fetch(`${gateway.url}/jobs/x`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/jobs/x`, { headers: { Authorization: 'Bearer another-key' } })).status).toBe(404);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
  });

  it('cancels the job of a client that leaves before its answer', async () => {
    await pool.close();
    const left = new AbortController();
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Take your time.' }], stream: true }),
      signal: left.signal,
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const jobId = /"id":"chatcmpl-([^"]+)"/.exec(first)?.[1];
    expect(jobId).toBeDefined();
    expect((await store.get(jobId!))?.status).toBe('queued');
    left.abort();
    for (let i = 0; i < 50 && (await store.get(jobId!))?.status !== 'cancelled'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await store.get(jobId!))?.status).toBe('cancelled');
    pool = new ScriptedPool(gateway.queue, gateway.model.tokenizer, { answer: () => ANSWER });
  });
});
