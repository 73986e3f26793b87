/**
 * The whole service as it is deployed: Redis, the gateway and two processes of each worker pool, each
 * a separate process running the compiled app. Requests go in over HTTP and answers come back over
 * SSE; they must equal what the engine produces in this process for the same request.
 */
import type { GenerationOptions, JobInput, JobResult } from '@lazyllm/contracts';
import { referenceAnswer, type ReferenceAnswer } from '../support/reference-answer';
import { DeployedService, type WorkerProcess } from './support/deployed-service';
import { readEventStream, type SseMessage } from './support/sse';

/** Every request here: greedy, the exact (f32) handoff, the engine's default LazyLLM schedule. */
const OPTIONS: GenerationOptions = { maxTokens: 8, temperature: 0, topK: 40, topP: 0.95, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f32' };
const REQUEST_FIELDS = { maxTokens: OPTIONS.maxTokens, temperature: 0, kvPrecision: 'f32', schedule: 'default' };
const DOCUMENTS = [
  { title: 'Eiffel Tower', text: 'The Eiffel Tower is a wrought-iron lattice tower in Paris, completed in 1889.' },
  { title: 'Mount Fuji', text: 'Mount Fuji is the highest mountain in Japan, at 3,776 metres.' },
  { title: 'Danube', text: 'The Danube flows through ten countries and empties into the Black Sea.' },
];
/** Time for one job or batch to go through both pools on a busy 2-core machine. */
const JOB_TIMEOUT_MS = 90_000;

/** Polls `condition` until it holds or `timeoutMs` has passed; the assertions after it say what is missing. */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Stream {
  readonly messages: SseMessage[];
  readonly tokens: { index: number; token: number; text: string }[];
  readonly finals: SseMessage[];
}

describe('the service end to end: gateway, 2 prefill and 2 decode worker processes, Redis', () => {
  let service: DeployedService;
  let gateway: string;

  beforeAll(async () => {
    service = await DeployedService.start([{ pool: 'prefill' }, { pool: 'prefill' }, { pool: 'decode' }, { pool: 'decode' }]);
    gateway = service.gatewayUrl;
  }, 240_000);

  afterAll(async () => {
    // Each app closes cleanly on SIGTERM: exit code 0.
    await expect(service?.stop()).resolves.toEqual([0, 0, 0, 0, 0]);
  }, 60_000);

  /** The same request in this process, without gateway, queue or handoff. */
  function reference(input: JobInput): Promise<ReferenceAnswer> {
    return referenceAnswer(service.engine, input, OPTIONS);
  }

  async function post<T>(path: string, body: object): Promise<T> {
    const response = await fetch(`${gateway}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(202);
    return (await response.json()) as T;
  }

  async function get<T>(path: string): Promise<T> {
    const response = await fetch(`${gateway}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  async function stream(eventsPath: string): Promise<Stream> {
    const { status, messages } = await readEventStream(`${gateway}${eventsPath}`, {}, JOB_TIMEOUT_MS);
    expect(status).toBe(200);
    const tokens = messages.flatMap((m) => (m.data.type === 'token' ? [m.data] : []));
    return { messages, tokens, finals: messages.filter((m) => m.data.type !== 'token') };
  }

  /** Each token index once and in order, then exactly one final event, `done`; returns its result. */
  function expectCompleteStream(s: Stream): JobResult {
    expect(s.tokens.map((t) => t.index)).toEqual(s.tokens.map((_, i) => i));
    expect(s.finals.map((m) => m.type)).toEqual(['done']);
    expect(s.messages[s.messages.length - 1]).toBe(s.finals[0]);
    const final = s.finals[0].data;
    if (final.type !== 'done') throw new Error(`the job ended ${final.type}`);
    // The streamed pieces are the answer's text, up to what is released only at the end.
    expect(final.result.text.startsWith(s.tokens.map((t) => t.text).join(''))).toBe(true);
    return final.result;
  }

  it('streams the same tokens and answer as the in-process engine, and reports the timings', async () => {
    const input: JobInput = { kind: 'prompt', prompt: 'What is the capital of France?', chat: true };
    const job = await post<{ id: string; links: { self: string; events: string } }>('/jobs', { prompt: input.prompt, ...REQUEST_FIELDS });
    const [events, expected] = await Promise.all([stream(job.links.events), reference(input)]);
    const result = expectCompleteStream(events);
    expect(events.tokens.map((t) => t.token)).toEqual(expected.tokens);
    expect(result.tokens).toEqual(expected.tokens);
    expect(result.text).toBe(expected.text);

    const view = await get<{ status: string; result: JobResult; computedShare: number; timings: Record<string, number> }>(job.links.self);
    expect(view.status).toBe('completed');
    expect(view.result).toEqual(result);
    for (const timing of ['queueWaitMs', 'ttftMs', 'prefillMs', 'handoffMs', 'decodeTokensPerSec']) expect(view.timings[timing]).toBeGreaterThanOrEqual(0);
    // The default schedule prunes: prefill computes only part of the (token, layer) pairs.
    expect(view.computedShare).toBeGreaterThan(0);
    expect(view.computedShare).toBeLessThan(1);

    const replay = await stream(job.links.events);
    expect(replay.messages).toEqual(events.messages);
  }, JOB_TIMEOUT_MS + 30_000);

  it('answers a batch of document questions with one result per question, each as the engine would', async () => {
    const questions = ['When was the Eiffel Tower completed?', 'How high is Mount Fuji?', 'Where does the Danube end?', 'Which tower is in Paris?'];
    const batch = await post<{ id: string; jobs: { id: string }[]; links: { self: string; results: string } }>('/batches', { documents: DOCUMENTS, questions, ...REQUEST_FIELDS });
    expect(batch.jobs).toHaveLength(questions.length);
    const expected = await Promise.all(questions.map((question) => reference({ kind: 'document-qa', documents: DOCUMENTS, question })));

    const progress = () => get<{ done: boolean; total: number; counts: Record<string, number> }>(batch.links.self);
    await waitUntil(async () => (await progress()).done, JOB_TIMEOUT_MS);
    expect(await progress()).toMatchObject({ done: true, total: questions.length, counts: { completed: questions.length, failed: 0, cancelled: 0 } });

    const { results } = await get<{ results: { index: number; question: string; status: string; answer: string; jobId: string }[] }>(batch.links.results);
    expect(results.map((r) => [r.index, r.question, r.status, r.jobId])).toEqual(questions.map((q, i) => [i, q, 'completed', batch.jobs[i].id]));
    expect(results.map((r) => r.answer)).toEqual(expected.map((e) => e.text));

    const lines = await fetch(`${gateway}${batch.links.results}?format=jsonl`).then((r) => r.text());
    expect(lines.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(results);
  }, JOB_TIMEOUT_MS + 60_000);

  it('processes every job of a burst once across both pools, and completes them all', async () => {
    const prompts = ['Name a colour.', 'Name a fruit.', 'Name an animal.', 'Name a country.', 'Name a planet.', 'Name a river.'];
    const jobs = await Promise.all(prompts.map((prompt) => post<{ id: string; links: { events: string } }>('/jobs', { prompt, ...REQUEST_FIELDS })));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(prompts.length);
    const streams = await Promise.all(jobs.map((job) => stream(job.links.events)));
    const results = streams.map(expectCompleteStream);
    const expected = await Promise.all(prompts.map((prompt) => reference({ kind: 'prompt', prompt, chat: true })));
    expect(results.map((r) => r.tokens)).toEqual(expected.map((e) => e.tokens));

    // Each job went through exactly one prefill attempt and, when prefill handed it off, one decode attempt.
    // A worker logs an attempt's outcome when BullMQ marks it complete, which can be just after the
    // job's final event, so the logs get a moment to catch up.
    const logLines = (pools: WorkerProcess['pool'][], text: string) => pools.flatMap((pool) => service.workerOutput(pool).filter((line) => line.includes(text)));
    const logged = (id: string) => {
      const prefilled = logLines(['prefill'], `job ${id}: `);
      return prefilled.length > 0 && (!prefilled[0].endsWith('handed-off') || logLines(['decode'], `job ${id}: `).length > 0);
    };
    await waitUntil(() => jobs.every((job) => logged(job.id)), 10_000);
    for (const job of jobs) {
      const prefilled = logLines(['prefill'], `job ${job.id}: `);
      expect(prefilled).toHaveLength(1);
      expect(logLines(['decode'], `job ${job.id}: `)).toHaveLength(prefilled[0].endsWith('handed-off') ? 1 : 0);
      expect(logLines(['prefill', 'decode'], `job ${job.id} attempt`)).toEqual([]);
    }
  }, JOB_TIMEOUT_MS + 60_000);
});
