import { createHash } from 'node:crypto';
import type { JobResult, JobStatus, JobTimings } from '@lazyllm/contracts';
import { ConfigurationError } from '../../shared/configuration-error';
import type { Answerer, QaAnswer, QaGenerationOptions, QaTask } from './qa-task';

/** The parts of GET /jobs/:id the CLI reads. */
interface JobView {
  readonly id: string;
  readonly status: JobStatus;
  readonly timings: JobTimings;
  readonly result?: JobResult;
  readonly error?: string;
}

/**
 * Answers through a running gateway: POST /jobs with the documents and the question, wait on the job's
 * event stream (the gateway ends it after the final event), then read the job for its result and
 * timings. Each question is sent with an idempotency key made from it, so after an interruption the
 * same question gets the job already running (or finished) for it instead of a new one; a question
 * that failed before gets a new key, and so a new job.
 */
export class GatewayAnswerer implements Answerer {
  readonly mode = 'gateway';
  private readonly headers: Record<string, string>;

  private constructor(
    private readonly baseUrl: string,
    apiKey: string | undefined,
    private readonly options: QaGenerationOptions,
    readonly concurrency: number,
  ) {
    this.headers = apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` };
  }

  /** Checks that the gateway answers and takes the key before any question is sent. */
  static async connect(baseUrl: string, apiKey: string | undefined, options: QaGenerationOptions, concurrency: number): Promise<GatewayAnswerer> {
    const answerer = new GatewayAnswerer(baseUrl.replace(/\/+$/, ''), apiKey, options, concurrency);
    let status: number;
    try {
      status = (await fetch(`${answerer.baseUrl}/v1/models`, { headers: answerer.headers, signal: AbortSignal.timeout(10_000) })).status;
    } catch (err) {
      throw new ConfigurationError(`cannot reach the gateway at ${baseUrl} (${(err as Error).message}): start the service (npm start), set --gateway, or answer in this process with --local`);
    }
    if (status === 401) throw new ConfigurationError(`the gateway at ${baseUrl} wants an API key: pass --api-key or set LAZYLLM_API_KEY`);
    if (status !== 200) throw new ConfigurationError(`the gateway at ${baseUrl} answered GET /v1/models with ${status}`);
    return answerer;
  }

  async answer(task: QaTask, attempt: number, signal: AbortSignal): Promise<QaAnswer> {
    const body = { documents: task.documents, question: task.question, ...this.options };
    const created = await fetch(`${this.baseUrl}/jobs`, {
      method: 'POST',
      headers: { ...this.headers, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey(body, task.id, attempt) },
      body: JSON.stringify(body),
      signal,
    });
    if (!created.ok) throw new Error(`the gateway refused the question (${created.status}): ${await errorMessage(created)}`);
    const { id, links } = (await created.json()) as { id: string; links: { self: string; events: string } };
    await (await fetch(`${this.baseUrl}${links.events}`, { headers: this.headers, signal })).text();
    const view = (await (await fetch(`${this.baseUrl}${links.self}`, { headers: this.headers, signal })).json()) as JobView;
    if (view.status !== 'completed' || view.result === undefined) throw new Error(`job ${id} ${view.status}${view.error ? `: ${view.error}` : ''}`);
    const { result } = view;
    return { answer: result.text, finishReason: result.finishReason, usage: result.usage, computedShare: result.pruning.computedShare, timings: { ...view.timings }, jobId: id };
  }

  async close(): Promise<void> {}
}

function idempotencyKey(body: object, id: string, attempt: number): string {
  return `qa-${createHash('sha256').update(JSON.stringify({ id, body })).digest('hex').slice(0, 40)}-${attempt}`;
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const message = (JSON.parse(text) as { message?: string | string[] }).message;
    return Array.isArray(message) ? message.join('; ') : (message ?? text);
  } catch {
    return text;
  }
}
