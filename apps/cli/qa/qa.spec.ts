import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcessGateway, type InProcessGateway } from '../../../tests/e2e/support/in-process-gateway';
import { ScriptedPool } from '../../../tests/e2e/support/scripted-pool';
import { useTestRedis } from '../../../tests/support/redis';
import { modelPath } from '../../shared/engine-settings';
import { ConfigurationError } from '../../shared/configuration-error';
import { GatewayAnswerer } from './gateway-answerer';
import { LocalAnswerer } from './local-answerer';
import { readDocuments, readQuestions } from './qa-inputs';
import { NO_PROGRESS, type QaProgress } from './qa-progress';
import { QaResults, type QaResultLine } from './qa-results';
import type { QaGenerationOptions } from './qa-task';
import { runQa } from './run-qa';

const redis = useTestRedis();
const OPTIONS: QaGenerationOptions = { maxTokens: 16, schedule: 'default', kvPrecision: 'f32' };

function lines(path: string): QaResultLine[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as QaResultLine);
}

/** Progress that aborts the run after `count` answers, as a Ctrl-C would. */
function interruptAfter(count: number, stop: AbortController): QaProgress {
  let answered = 0;
  return { ...NO_PROGRESS, advance: () => ++answered === count && stop.abort() };
}

describe('batch document QA CLI', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lazyllm-qa-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'paris.txt'), 'Paris is the capital of France.\n');
    writeFileSync(join(dir, 'docs', 'loire.md'), 'The Loire is the longest river in France.');
    writeFileSync(join(dir, 'docs', 'notes.pdf'), 'not a text file');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads documents from a folder or JSON lines, and questions with ids and document titles', () => {
    expect(readDocuments(join(dir, 'docs'))).toEqual([
      { title: 'loire', text: 'The Loire is the longest river in France.' },
      { title: 'paris', text: 'Paris is the capital of France.' },
    ]);
    writeFileSync(join(dir, 'docs.jsonl'), '{"title": "a", "text": "A."}\n\n{"text": "B."}\n');
    const documents = readDocuments(join(dir, 'docs.jsonl'));
    expect(documents).toEqual([{ title: 'a', text: 'A.' }, { text: 'B.' }]);
    writeFileSync(join(dir, 'q.jsonl'), '{"id": "first", "question": "A?", "documents": ["a"]}\n{"question": "Both?"}\n');
    expect(readQuestions(join(dir, 'q.jsonl'), documents)).toEqual([
      { id: 'first', question: 'A?', documents: [{ title: 'a', text: 'A.' }] },
      { id: 'line-2', question: 'Both?', documents },
    ]);
  });

  it('names the file and line of a bad input', () => {
    const documents = readDocuments(join(dir, 'docs'));
    const questions = (text: string) => {
      writeFileSync(join(dir, 'bad.jsonl'), text);
      return () => readQuestions(join(dir, 'bad.jsonl'), documents);
    };
    expect(questions('{"question": "A?", "documents": ["nile"]}\n')).toThrow(/bad.jsonl:1: no document titled "nile"/);
    expect(questions('{"id": "x", "question": "A?"}\n{"id": "x", "question": "B?"}\n')).toThrow(/bad.jsonl:2: id "x" is used twice/);
    expect(questions('{"question": ""}\n')).toThrow(ConfigurationError);
    expect(questions('not json\n')).toThrow(/bad.jsonl:1: not valid JSON/);
    expect(() => readDocuments(join(dir, 'missing'))).toThrow(/documents not found/);
  });

  describe('through the gateway (real Redis, scripted workers)', () => {
    let gateway: InProcessGateway;
    let pool: ScriptedPool;
    const asked: string[] = [];

    beforeAll(async () => {
      gateway = await startInProcessGateway(redis.url, { apiKeys: ['qa-key'], maxPromptTokens: 200 });
      pool = new ScriptedPool(gateway.queue, gateway.model.tokenizer, {
        answer: (data) => {
          asked.push(data.input.kind === 'document-qa' ? data.input.question : '');
          return 'Paris, of course.';
        },
        tokenDelayMs: 40,
      });
    });

    afterAll(async () => {
      await pool.close();
      await gateway.close();
    });

    it('refuses to start without the gateway or its key, with the fix in the message', async () => {
      await expect(GatewayAnswerer.connect(gateway.url, undefined, OPTIONS, 1)).rejects.toThrow(/pass --api-key or set LAZYLLM_API_KEY/);
      await expect(GatewayAnswerer.connect('http://127.0.0.1:9', 'qa-key', OPTIONS, 1)).rejects.toThrow(/cannot reach the gateway.*--local/);
    });

    it('resumes after an interruption without asking a finished question again, nor resubmitting one in flight', async () => {
      const documents = readDocuments(join(dir, 'docs'));
      const questions = ['Q1?', 'Q2?', 'Q3?', 'Q4?', 'Q5?'];
      writeFileSync(join(dir, 'q.jsonl'), questions.map((question) => JSON.stringify({ question })).join('\n'));
      const tasks = readQuestions(join(dir, 'q.jsonl'), documents);
      const output = join(dir, 'out', 'results.jsonl');
      const answerer = await GatewayAnswerer.connect(gateway.url, 'qa-key', OPTIONS, 2);

      const stop = new AbortController();
      const first = await runQa(tasks, new QaResults(output), answerer, interruptAfter(2, stop), stop.signal);
      expect(first.interrupted).toBe(true);
      expect(lines(output).length).toBeGreaterThanOrEqual(2);
      expect(lines(output).length).toBeLessThan(5);

      const second = await runQa(tasks, new QaResults(output), answerer, NO_PROGRESS, new AbortController().signal);
      expect(second).toMatchObject({ total: 5, skipped: lines(output).length - second.completed, failed: 0, interrupted: false });
      const results = lines(output);
      expect(results.map((r) => r.id).sort()).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5']);
      expect(results.every((r) => r.status === 'completed' && r.answer === 'Paris, of course.' && r.mode === 'gateway')).toBe(true);
      const [line] = results;
      if (line.status !== 'completed') throw new Error('not completed');
      expect(line).toMatchObject({ computedShare: 0.6, usage: { promptTokens: 11 }, timings: { ttftMs: 25, decodeTokensPerSec: 80 } });
      expect(line.wallMs).toBeGreaterThan(0);
      expect(new Set(results.map((r) => (r.status === 'completed' ? r.jobId : ''))).size).toBe(5);
      // The workers answered each question once: the interrupted run's jobs were picked up again by key.
      expect([...asked].sort()).toEqual(questions);
      // A third run has nothing to do.
      expect(await runQa(tasks, new QaResults(output), answerer, NO_PROGRESS, new AbortController().signal)).toMatchObject({ skipped: 5, completed: 0 });
    });

    it('records a refused question as failed with the reason, and asks it again on the next run', async () => {
      const documents = [{ title: 'long', text: 'word '.repeat(300) }];
      const tasks = [{ id: 'too-long', question: 'What?', documents }];
      const output = join(dir, 'results.jsonl');
      const answerer = await GatewayAnswerer.connect(gateway.url, 'qa-key', OPTIONS, 1);
      expect(await runQa(tasks, new QaResults(output), answerer, NO_PROGRESS, new AbortController().signal)).toMatchObject({ failed: 1 });
      expect(lines(output)).toEqual([expect.objectContaining({ id: 'too-long', status: 'failed', error: expect.stringMatching(/refused the question \(422\): prompt has \d+ tokens; the limit is 200/) })]);
      expect(new QaResults(output).failedBefore({ id: 'too-long' })).toBe(1);
      await runQa(tasks, new QaResults(output), answerer, NO_PROGRESS, new AbortController().signal);
      expect(lines(output).map((r) => r.status)).toEqual(['failed', 'failed']);
    });
  });

  it('answers in this process with the engine when asked to', async () => {
    const documents = readDocuments(join(dir, 'docs'));
    const tasks = [{ id: 'capital', question: 'What is the capital of France?', documents }];
    const output = join(dir, 'local.jsonl');
    const answerer = await LocalAnswerer.load(modelPath(), 1, { ...OPTIONS, maxTokens: 4 });
    try {
      expect(await runQa(tasks, new QaResults(output), answerer, NO_PROGRESS, new AbortController().signal)).toMatchObject({ completed: 1 });
    } finally {
      await answerer.close();
    }
    const [line] = lines(output);
    expect(line).toMatchObject({ id: 'capital', status: 'completed', mode: 'local', usage: { completionTokens: expect.any(Number) } });
    if (line.status !== 'completed') throw new Error('not completed');
    expect(line.answer.length).toBeGreaterThan(0);
    expect(line.computedShare).toBeGreaterThan(0);
    expect(line.computedShare).toBeLessThan(1);
    expect(line.timings.ttftMs).toBeGreaterThan(0);
  });
});
