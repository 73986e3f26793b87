import { BadRequestException, type Type } from '@nestjs/common';
import { CreateBatchDto } from '../batches/dto/create-batch.dto';
import { validationPipe } from '../configure-gateway';
import { CreateJobDto } from '../jobs/dto/create-job.dto';

/** What the gateway's global ValidationPipe makes of a request body. */
function parse<T>(body: unknown, metatype: Type<T>): Promise<T> {
  return validationPipe().transform(body, { type: 'body', metatype }) as Promise<T>;
}

/** The messages of the 400 a body gets. */
async function rejection(body: unknown, metatype: Type<unknown> = CreateJobDto): Promise<string[]> {
  const error: unknown = await parse(body, metatype).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof BadRequestException)) throw new Error(`expected a 400 for ${JSON.stringify(body)}, got ${String(error)}`);
  return (error.getResponse() as { message: string[] }).message;
}

describe('CreateJobDto', () => {
  it('fills every generation parameter with its default', async () => {
    const dto = await parse({ prompt: 'Hi' }, CreateJobDto);
    expect(dto).toBeInstanceOf(CreateJobDto);
    expect({ ...dto }).toEqual({
      prompt: 'Hi',
      maxTokens: 128,
      temperature: 0,
      topK: 40,
      topP: 0.95,
      seed: 0,
      stop: [],
      schedule: 'default',
      kvPrecision: 'f32',
    });
  });

  it('accepts each input kind with explicit parameters', async () => {
    const options = { maxTokens: 4, temperature: 0.7, topK: 0, topP: 1, seed: 7, stop: ['\n'], schedule: { layers: [4, 8], percentiles: [10, 50] }, kvPrecision: 'f16' };
    await expect(parse({ prompt: 'Hi', chat: false, ...options }, CreateJobDto)).resolves.toMatchObject({ chat: false, ...options });
    await expect(parse({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], schedule: 'none' }, CreateJobDto)).resolves.toMatchObject({ schedule: 'none' });
    await expect(parse({ documents: [{ title: 'T', text: 'Paris is in France.' }, { text: 'x' }], question: 'Where is Paris?' }, CreateJobDto)).resolves.toMatchObject({ question: 'Where is Paris?' });
  });

  it('asks for an input when none is sent', async () => {
    expect(await rejection({ maxTokens: 3 })).toEqual(['send one of prompt, messages, or documents with question']);
  });

  it('refuses two inputs once, naming all three', async () => {
    expect(await rejection({ prompt: 'a', messages: [{ role: 'user', content: 'b' }] })).toEqual(['send only one of prompt, messages, documents']);
    expect(await rejection({ messages: [{ role: 'user', content: 'b' }], documents: [{ text: 'c' }], question: 'q' })).toEqual(['send only one of prompt, messages, documents']);
  });

  it('ties question to documents and chat to prompt', async () => {
    expect(await rejection({ documents: [{ text: 'c' }] })).toEqual(['question is required with documents']);
    expect(await rejection({ messages: [{ role: 'user', content: 'b' }], question: 'q' })).toEqual(['question is allowed only with documents']);
    expect(await rejection({ messages: [{ role: 'user', content: 'b' }], chat: true })).toEqual(['chat is allowed only with prompt']);
  });

  it('names nested fields and unknown ones', async () => {
    expect(await rejection({ documents: [{ text: 'ok' }, { text: 3 }], question: 'q' })).toEqual(['documents.1.text must be a string']);
    expect(await rejection({ messages: [{ role: 'robot', content: 'b' }] })).toEqual(['messages.0.role must be one of the following values: system, user, assistant']);
    expect(await rejection({ prompt: 'a', temperatur: 1 })).toEqual(['property temperatur should not exist']);
    expect(await rejection({ documents: [{ text: 'a', page: 1 }], question: 'q' })).toEqual(['documents.0.property page should not exist']);
    expect(await rejection({ messages: [null] })).toEqual(['each value in messages must be an object']);
    expect(await rejection({ documents: [1], question: 'q' })).toEqual(['each value in documents must be an object']);
  });

  it.each([
    [{ maxTokens: 0 }, 'maxTokens must not be less than 1'],
    [{ maxTokens: 4097 }, 'maxTokens must not be greater than 4096'],
    [{ maxTokens: 2.5 }, 'maxTokens must be an integer number'],
    [{ maxTokens: '8' }, 'maxTokens must be an integer number'],
    [{ maxTokens: null }, 'maxTokens must be an integer number'],
    [{ temperature: -0.1 }, 'temperature must not be less than 0'],
    [{ temperature: 'hot' }, 'temperature must be a number conforming to the specified constraints'],
    [{ topK: -1 }, 'topK must not be less than 0'],
    [{ topP: 0 }, 'topP must be a positive number'],
    [{ topP: 1.5 }, 'topP must not be greater than 1'],
    [{ seed: -1 }, 'seed must not be less than 0'],
    [{ stop: 'x' }, 'stop must be an array'],
    [{ stop: [''] }, 'each value in stop should not be empty'],
    [{ schedule: 'half' }, 'schedule must be "default", "batch", "none" or {"layers": number[], "percentiles": number[]}'],
    [{ schedule: { layers: [4], percentiles: ['50'] } }, 'schedule must be "default", "batch", "none" or {"layers": number[], "percentiles": number[]}'],
    [{ schedule: { layers: [4], percentiles: [50], extra: 1 } }, 'schedule must be "default", "batch", "none" or {"layers": number[], "percentiles": number[]}'],
    [{ kvPrecision: 'f8' }, 'kvPrecision must be one of the following values: f32, f16'],
    [{ idempotencyKey: '' }, 'idempotencyKey must be longer than or equal to 1 characters'],
    [{ prompt: '' }, 'prompt should not be empty'],
  ])('refuses %j', async (fields, message) => {
    expect(await rejection({ prompt: 'Hi', ...fields })).toEqual([message]);
  });
});

describe('CreateBatchDto', () => {
  const documents = [{ title: 'Paris', text: 'Paris is the capital of France.' }];

  it('takes shared documents with questions, or items with their own documents', async () => {
    await expect(parse({ documents, questions: ['a?', 'b?'], maxTokens: 8 }, CreateBatchDto)).resolves.toMatchObject({ questions: ['a?', 'b?'], maxTokens: 8, kvPrecision: 'f32' });
    await expect(parse({ items: [{ documents, question: 'a?' }] }, CreateBatchDto)).resolves.toMatchObject({ items: [{ question: 'a?' }] });
  });

  it.each([
    [{}, 'send documents with questions, or items'],
    [{ documents }, 'questions are required with documents'],
    [{ questions: ['a?'] }, 'send documents with questions, or items'],
    [{ documents, questions: ['a?'], items: [{ documents, question: 'b?' }] }, 'send only one of documents, items'],
    [{ documents, questions: [] }, 'questions must contain at least 1 elements'],
    [{ documents, questions: ['a?', ''] }, 'each value in questions should not be empty'],
    [{ documents, questions: Array.from({ length: 257 }, () => 'q?') }, 'questions must contain no more than 256 elements'],
    [{ items: [{ documents, question: '' }] }, 'items.0.question should not be empty'],
    [{ items: [{ documents: [], question: 'a?' }] }, 'items.0.documents must contain at least 1 elements'],
  ])('refuses %j', async (body, message) => {
    expect(await rejection(body, CreateBatchDto)).toContain(message);
  });
});
