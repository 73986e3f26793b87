import type { JobRecord, JobResult, JobTimings } from '@lazyllm/contracts';

/** Which endpoint a response is for: /v1/completions or /v1/chat/completions. */
export type CompletionKind = 'text' | 'chat';

/** What every response and chunk of one request repeats. */
export interface ResponseMeta {
  readonly kind: CompletionKind;
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** The LazyLLM fields of a response, which OpenAI's clients pass through untouched. */
export interface LazyLlmStats {
  readonly job_id: string;
  /** Share of (token, layer) computations done in prefill, against no pruning. */
  readonly computed_share: number;
  /** Pruned tokens brought back because a later step needed them. */
  readonly revived: number;
  readonly schedule: { readonly layers: readonly number[]; readonly percentiles: readonly number[] };
  readonly timings: Readonly<Record<string, number>>;
}

export type FinishReason = 'stop' | 'length';

export function responseMeta(kind: CompletionKind, jobId: string, model: string): ResponseMeta {
  return { kind, id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${jobId}`, created: Math.floor(Date.now() / 1000), model };
}

export function usageOf(result: JobResult): Usage {
  const { promptTokens, completionTokens } = result.usage;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** A cancelled job never gets here: it is an error for the client, not a finish reason. */
export function finishReasonOf(result: JobResult): FinishReason {
  return result.finishReason === 'length' ? 'length' : 'stop';
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function timingsOf(timings: JobTimings): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([name, value]) => [snakeCase(name), value as number]));
}

export function lazyLlmStats(record: JobRecord, result: JobResult): LazyLlmStats {
  return {
    job_id: record.id,
    computed_share: result.pruning.computedShare,
    revived: result.pruning.revived,
    schedule: result.pruning.schedule,
    timings: timingsOf(record.timings),
  };
}

function objectOf(meta: ResponseMeta, chunk: boolean): string {
  if (meta.kind === 'text') return 'text_completion';
  return chunk ? 'chat.completion.chunk' : 'chat.completion';
}

/** The whole answer at once (stream: false). */
export function completionResponse(meta: ResponseMeta, record: JobRecord, result: JobResult): object {
  const finish_reason = finishReasonOf(result);
  const choice =
    meta.kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: result.text, refusal: null }, logprobs: null, finish_reason }
      : { index: 0, text: result.text, logprobs: null, finish_reason };
  return { id: meta.id, object: objectOf(meta, false), created: meta.created, model: meta.model, choices: [choice], usage: usageOf(result), lazyllm: lazyLlmStats(record, result) };
}

/** A piece of a streamed answer. Chat chunks carry `delta`s: the first its role, then text. */
export function completionChunk(meta: ResponseMeta, delta: { role?: 'assistant'; content?: string }, finishReason: FinishReason | null = null, extra: object = {}): object {
  const choice =
    meta.kind === 'chat' ? { index: 0, delta, logprobs: null, finish_reason: finishReason } : { index: 0, text: delta.content ?? '', logprobs: null, finish_reason: finishReason };
  return { id: meta.id, object: objectOf(meta, true), created: meta.created, model: meta.model, choices: [choice], ...extra };
}

/** The chunk stream_options.include_usage asks for: no choices, the usage. */
export function usageChunk(meta: ResponseMeta, result: JobResult): object {
  return { id: meta.id, object: objectOf(meta, true), created: meta.created, model: meta.model, choices: [], usage: usageOf(result) };
}
