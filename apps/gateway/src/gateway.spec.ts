import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { JobResult, PrefillJobData } from '@lazyllm/contracts';
import { promptTokens } from '@lazyllm/prompts';
import { createPrefillQueue, createRedisClient, JobStore, readQueueSettings, workerOptions, type PrefillQueue } from '@lazyllm/jobs';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { parseEventStream, readEventStream } from '../../../tests/e2e/support/sse';
import { useTestRedis } from '../../../tests/support/redis';
import { modelPath } from '../../shared/engine-settings';
import { ModelProfile } from './admission/model-profile';
import { AppModule } from './app.module';
import { configureGateway } from './configure-gateway';
import type { GatewaySettings } from './settings/gateway-settings';

const redis = useTestRedis();

const MAX_PROMPT_TOKENS = 300;
const MAX_BODY_BYTES = 32 * 1024;
const DOCUMENTS = [
  { title: 'Paris', text: 'Paris is the capital and largest city of France.' },
  { text: 'The Loire is the longest river in France.' },
];

describe('gateway HTTP API (real Redis, no workers)', () => {
  let app: NestExpressApplication;
  let baseUrl: string;
  let client: Redis;
  let store: JobStore;
  let queue: PrefillQueue;
  let model: ModelProfile;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const path = modelPath();
    model = ModelProfile.read(path);
    const queueSettings = readQueueSettings({ REDIS_URL: redis.url });
    const settings: GatewaySettings = { port: 0, host: undefined, modelPath: path, maxPromptTokens: MAX_PROMPT_TOKENS, maxBodyBytes: MAX_BODY_BYTES, apiKeys: [] };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.withConfig({ settings, queue: queueSettings, model })] }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureGateway(app, settings);
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    client = createRedisClient(redis.url);
    store = new JobStore(client, queueSettings.prefix);
    queue = createPrefillQueue(queueSettings);
  });

  afterAll(async () => {
    await app.close();
    store.close();
    await queue.close();
    await client.quit();
  });

  async function submit(body: object): Promise<string> {
    const response = await http().post('/jobs').send(body).expect(202);
    return (response.body as { id: string }).id;
  }

  async function queued(id: string): Promise<PrefillJobData> {
    const job = await queue.getJob(id);
    if (!job) throw new Error(`job ${id} is not on the prefill queue`);
    return job.data;
  }

  /** Plays both worker pools' part in the store: status, tokens in order, then the result. */
  async function completeLikeWorkers(id: string, tokens: number[]): Promise<JobResult> {
    await store.update(id, { status: 'decode', attempts: 1, timings: { queueWaitMs: 5, ttftMs: 40, prefillMs: 30, handoffMs: 3 }, computedShare: 0.8 });
    for (const [index, token] of tokens.entries()) await store.publishToken(id, { type: 'token', index, token, text: model.tokenizer.decode([token]) });
    const result: JobResult = {
      text: model.tokenizer.decode(tokens),
      tokens,
      finishReason: 'length',
      usage: { promptTokens: 12, completionTokens: tokens.length },
      pruning: { schedule: { layers: [], percentiles: [] }, computedShare: 0.8, revived: 0 },
    };
    await store.finish(id, { status: 'completed', result, timings: { decodeMs: 20, decodeTokensPerSec: 100, totalMs: 70 } }, 60);
    return result;
  }

  describe('POST /jobs', () => {
    it('accepts a prompt with 202, links, and queues it for prefill with the defaults filled in', async () => {
      const response = await http().post('/jobs').send({ prompt: 'What is the capital of France?' }).expect(202);
      const { id, links } = response.body as { id: string; links: { self: string; events: string } };
      expect(links).toEqual({ self: `/jobs/${id}`, events: `/jobs/${id}/events` });
      expect(response.headers.location).toBe(`/jobs/${id}`);
      const data = await queued(id);
      expect(data).toMatchObject({
        jobId: id,
        input: { kind: 'prompt', prompt: 'What is the capital of France?', chat: true },
        options: { maxTokens: 128, temperature: 0, topK: 40, topP: 0.95, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f32' },
      });
      expect(data.acceptedAt).toBeLessThanOrEqual(Date.now());
      const view = await http().get(links.self).expect(200);
      expect(view.body).toMatchObject({ id, status: 'queued', phase: 'waiting', attempts: 0, generatedTokens: 0, timings: {}, links });
    });

    it('queues chat messages and document questions as their own input kinds', async () => {
      const messages = [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'Hi' }];
      expect((await queued(await submit({ messages }))).input).toEqual({ kind: 'chat', messages });
      const qa = await queued(await submit({ documents: DOCUMENTS, question: 'What is the capital of France?', schedule: { layers: [10, 20], percentiles: [10, 40] } }));
      expect(qa.input).toEqual({ kind: 'document-qa', documents: DOCUMENTS, question: 'What is the capital of France?' });
      expect(qa.options.schedule).toEqual({ layers: [10, 20], percentiles: [10, 40] });
      expect((await queued(await submit({ prompt: 'Once upon a time', chat: false }))).input).toEqual({ kind: 'prompt', prompt: 'Once upon a time', chat: false });
    });

    it('gives the same job back for a repeated idempotency key, from the body or the header', async () => {
      const first = await submit({ prompt: 'Count to three.', idempotencyKey: 'key-1' });
      expect(await submit({ prompt: 'Count to three.', idempotencyKey: 'key-1' })).toBe(first);
      const byHeader = (await http().post('/jobs').set('Idempotency-Key', 'key-1').send({ prompt: 'Count to three.' }).expect(202)).body as { id: string };
      expect(byHeader.id).toBe(first);
      const waiting = await queue.getJobs(['waiting']);
      expect(waiting.filter((job) => job.id === first)).toHaveLength(1);
      expect(await submit({ prompt: 'Count to three.', idempotencyKey: 'key-2' })).not.toBe(first);
    });

    it('refuses a header key that differs from the body key', async () => {
      const response = await http().post('/jobs').set('Idempotency-Key', 'a').send({ prompt: 'x', idempotencyKey: 'b' }).expect(400);
      expect(response.body.message).toEqual(['idempotencyKey differs from the Idempotency-Key header; send one of them']);
    });

    it('answers invalid bodies with 400 and the field messages', async () => {
      const response = await http().post('/jobs').send({ prompt: 'x', maxTokens: 0, extra: true }).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toEqual(expect.arrayContaining(['maxTokens must not be less than 1', 'property extra should not exist']));
      await http().post('/jobs').set('Content-Type', 'application/json').send('{"prompt": ').expect(400);
      await http().post('/jobs').send([1, 2]).expect(400);
    });

    it('checks a schedule against the model layer count read from the GGUF', async () => {
      const layers = model.config.layerCount;
      await submit({ prompt: 'x', schedule: { layers: [layers - 1], percentiles: [50] } });
      const response = await http().post('/jobs').send({ prompt: 'x', schedule: { layers: [layers], percentiles: [50] } }).expect(400);
      expect(response.body.message).toEqual([`schedule: invalid pruning schedule: layer ${layers} is outside 1..${layers - 1} (the model has ${layers} layers)`]);
      await http().post('/jobs').send({ prompt: 'x', schedule: { layers: [5, 3], percentiles: [10, 20] } }).expect(400);
    });

    it('answers a prompt over MAX_PROMPT_TOKENS with 422, its token count and the limit, and queues nothing', async () => {
      const prompt = 'word '.repeat(400);
      const count = promptTokens({ kind: 'prompt', prompt, chat: false }, model.tokenizer, model.template).length;
      expect(count).toBeGreaterThan(MAX_PROMPT_TOKENS);
      const before = await queue.count();
      const response = await http().post('/jobs').send({ prompt, chat: false }).expect(422);
      expect(response.body).toMatchObject({ statusCode: 422, promptTokens: count, limit: MAX_PROMPT_TOKENS });
      expect(response.body.message).toBe(`prompt has ${count} tokens; the limit is ${MAX_PROMPT_TOKENS}`);
      expect(await queue.count()).toBe(before);
    });

    it('refuses a body over MAX_BODY_BYTES with 413', async () => {
      await http().post('/jobs').send({ prompt: 'x'.repeat(MAX_BODY_BYTES) }).expect(413);
    });
  });

  describe('GET /jobs/:id', () => {
    it('is 404 for an unknown id', async () => {
      const response = await http().get('/jobs/no-such-job').expect(404);
      expect(response.body.message).toBe('job no-such-job not found');
    });

    it('reports progress, timings and the result as workers record them', async () => {
      const id = await submit({ prompt: 'Say hello.' });
      await store.update(id, { status: 'prefill', attempts: 1 });
      expect((await http().get(`/jobs/${id}`).expect(200)).body).toMatchObject({ status: 'prefill', phase: 'running', attempts: 1 });
      const result = await completeLikeWorkers(id, [28120, 30, 2]);
      const view = (await http().get(`/jobs/${id}`).expect(200)).body;
      expect(view).toMatchObject({
        status: 'completed',
        phase: 'finished',
        generatedTokens: 3,
        computedShare: 0.8,
        timings: { queueWaitMs: 5, ttftMs: 40, prefillMs: 30, handoffMs: 3, decodeMs: 20, decodeTokensPerSec: 100, totalMs: 70 },
        result,
      });
    });
  });

  describe('GET /jobs/:id/events', () => {
    it('replays every event from the first token and ends after the final one', async () => {
      const id = await submit({ prompt: 'Say hello.' });
      const result = await completeLikeWorkers(id, [1, 2, 3]);
      const stream = await readEventStream(`${baseUrl}/jobs/${id}/events`);
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(stream.messages.map((m) => m.type)).toEqual(['token', 'token', 'token', 'done']);
      expect(stream.messages.map((m) => m.data)).toEqual([
        { type: 'token', index: 0, token: 1, text: model.tokenizer.decode([1]) },
        { type: 'token', index: 1, token: 2, text: model.tokenizer.decode([2]) },
        { type: 'token', index: 2, token: 3, text: model.tokenizer.decode([3]) },
        { type: 'done', result },
      ]);
      expect(stream.messages.every((m) => /^\d+-\d+$/.test(m.id ?? ''))).toBe(true);

      const resumed = await readEventStream(`${baseUrl}/jobs/${id}/events`, { 'Last-Event-ID': stream.messages[1].id ?? '' });
      expect(resumed.messages.map((m) => m.id)).toEqual(stream.messages.slice(2).map((m) => m.id));
      const afterEnd = await readEventStream(`${baseUrl}/jobs/${id}/events`, { 'Last-Event-ID': stream.messages[3].id ?? '' });
      expect(afterEnd).toMatchObject({ status: 200, messages: [] });
    });

    it('streams events as they are published to a client that subscribed first', async () => {
      const id = await submit({ prompt: 'Say hello.' });
      // fetch resolves once the gateway has sent the headers: the client is subscribed before any event exists.
      const response = await fetch(`${baseUrl}/jobs/${id}/events`);
      expect(response.status).toBe(200);
      await completeLikeWorkers(id, [7, 8]);
      expect(parseEventStream(await response.text()).map((m) => m.type)).toEqual(['token', 'token', 'done']);
    });

    it('is 404 for an unknown job and 400 for a malformed Last-Event-ID', async () => {
      await http().get('/jobs/no-such-job/events').expect(404);
      const id = await submit({ prompt: 'x' });
      await http().get(`/jobs/${id}/events`).set('Last-Event-ID', 'yesterday').expect(400);
    });
  });

  describe('DELETE /jobs/:id', () => {
    it('takes a waiting job off the queue and ends it cancelled', async () => {
      const id = await submit({ prompt: 'x' });
      const response = await http().delete(`/jobs/${id}`).expect(202);
      expect(response.body).toMatchObject({ id, status: 'cancelled', phase: 'finished' });
      expect(await queue.getJob(id)).toBeUndefined();
      expect((await readEventStream(`${baseUrl}/jobs/${id}/events`)).messages.map((m) => m.data)).toEqual([{ type: 'cancelled' }]);
      await http().delete(`/jobs/${id}`).expect(202);
    });

    it('flags a job a worker holds, leaving it to the worker to stop', async () => {
      await queue.drain();
      const id = await submit({ prompt: 'x' });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let taken!: (jobId: string | undefined) => void;
      const takenJob = new Promise<string | undefined>((resolve) => (taken = resolve));
      const worker = new Worker<PrefillJobData>(
        queue.name,
        async (job) => {
          taken(job.id);
          await held;
        },
        workerOptions(readQueueSettings({ REDIS_URL: redis.url }), 1),
      );
      try {
        expect(await takenJob).toBe(id);
        await store.update(id, { status: 'prefill' });
        const response = await http().delete(`/jobs/${id}`).expect(202);
        expect(response.body).toMatchObject({ id, status: 'prefill' });
        expect(await store.isCancelled(id)).toBe(true);
        expect(await (await queue.getJob(id))?.getState()).toBe('active');
      } finally {
        release();
        await worker.close();
      }
    });

    it('is 409 for a finished job and 404 for an unknown one', async () => {
      const id = await submit({ prompt: 'x' });
      await completeLikeWorkers(id, [1]);
      const response = await http().delete(`/jobs/${id}`).expect(409);
      expect(response.body.message).toBe(`job ${id} is already completed`);
      await http().delete('/jobs/no-such-job').expect(404);
    });
  });

  describe('batches', () => {
    const questions = ['What is the capital of France?', 'Which river is the longest in France?', 'Is Paris large?'];

    it('queues one document question per job, reports progress by status, and gives results as JSON or JSON lines', async () => {
      const created = await http().post('/batches').send({ documents: DOCUMENTS, questions, maxTokens: 8 }).expect(202);
      const batch = created.body as { id: string; jobs: { id: string; question: string }[]; links: { self: string; results: string } };
      expect(batch.links).toEqual({ self: `/batches/${batch.id}`, results: `/batches/${batch.id}/results` });
      expect(batch.jobs.map((j) => j.question)).toEqual(questions);
      for (const [i, job] of batch.jobs.entries()) {
        expect(await queued(job.id)).toMatchObject({ batchId: batch.id, input: { kind: 'document-qa', documents: DOCUMENTS, question: questions[i] }, options: { maxTokens: 8, schedule: 'batch' } });
      }
      expect((await http().get(batch.links.self).expect(200)).body).toMatchObject({ total: 3, done: false, counts: { queued: 3, completed: 0 } });

      const answer = await completeLikeWorkers(batch.jobs[0].id, [9, 10]);
      await store.finish(batch.jobs[1].id, { status: 'failed', error: 'prefill failed' }, 60);
      await http().delete(`/jobs/${batch.jobs[2].id}`).expect(202);
      expect((await http().get(batch.links.self).expect(200)).body).toMatchObject({ done: true, counts: { queued: 0, completed: 1, failed: 1, cancelled: 1 } });

      const results = (await http().get(batch.links.results).expect(200)).body;
      expect(results).toMatchObject({
        id: batch.id,
        done: true,
        results: [
          { index: 0, jobId: batch.jobs[0].id, question: questions[0], status: 'completed', answer: answer.text, finishReason: 'length', usage: answer.usage },
          { index: 1, jobId: batch.jobs[1].id, question: questions[1], status: 'failed', error: 'prefill failed' },
          { index: 2, jobId: batch.jobs[2].id, question: questions[2], status: 'cancelled' },
        ],
      });
      const byQuery = await http().get(`${batch.links.results}?format=jsonl`).expect(200);
      expect(byQuery.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(byQuery.headers['content-disposition']).toBe(`attachment; filename="batch-${batch.id}.jsonl"`);
      expect(byQuery.text.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(results.results);
      const byAccept = await http().get(batch.links.results).set('Accept', 'application/x-ndjson').expect(200);
      expect(byAccept.text).toBe(byQuery.text);
    });

    it('takes items that each carry their own documents', async () => {
      const items = [{ documents: DOCUMENTS.slice(0, 1), question: 'a?' }, { documents: DOCUMENTS.slice(1), question: 'b?' }];
      const batch = (await http().post('/batches').send({ items }).expect(202)).body as { jobs: { id: string }[] };
      expect(await Promise.all(batch.jobs.map(async (job) => (await queued(job.id)).input))).toEqual(items.map((item) => ({ kind: 'document-qa', ...item })));
    });

    it('takes any schedule, named or given, as single jobs do', async () => {
      const scheduleOf = async (schedule: unknown) => {
        const batch = (await http().post('/batches').send({ documents: DOCUMENTS, questions: ['a?'], schedule }).expect(202)).body as { jobs: { id: string }[] };
        return (await queued(batch.jobs[0].id)).options.schedule;
      };
      await expect(scheduleOf('default')).resolves.toBe('default');
      await expect(scheduleOf({ layers: [2], percentiles: [50] })).resolves.toEqual({ layers: [2], percentiles: [50] });
      expect((await http().post('/batches').send({ documents: DOCUMENTS, questions: ['a?'], schedule: 'late' }).expect(400)).body.message).toEqual([
        'schedule must be "default", "batch", "none" or {"layers": number[], "percentiles": number[]}',
      ]);
    });

    it('refuses the whole batch when one question is too long, naming it', async () => {
      const long = { documents: [{ text: 'word '.repeat(MAX_PROMPT_TOKENS) }], question: 'a?' };
      const response = await http().post('/batches').send({ items: [{ documents: DOCUMENTS, question: 'a?' }, long] }).expect(422);
      expect(response.body.message).toMatch(/^items\[1\]: prompt has \d+ tokens; the limit is 300$/);
    });

    it('answers invalid bodies with 400, unknown batches with 404, and an unknown format with 400', async () => {
      expect((await http().post('/batches').send({ questions }).expect(400)).body.message).toContain('send documents with questions, or items');
      await http().get('/batches/no-such-batch').expect(404);
      await http().get('/batches/no-such-batch/results').expect(404);
      const batch = (await http().post('/batches').send({ documents: DOCUMENTS, questions: ['a?'] }).expect(202)).body as { id: string };
      await http().get(`/batches/${batch.id}/results?format=xml`).expect(400);
    });
  });
});
