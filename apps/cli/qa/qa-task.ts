import type { GenerationOptions, QaDocument, ScheduleName } from '@lazyllm/contracts';

/** One question to answer over its documents; `id` names it in the results, so a resumed run can skip it. */
export interface QaTask {
  readonly id: string;
  readonly question: string;
  readonly documents: readonly QaDocument[];
}

/** What answering one question produced, whichever way it was answered. */
export interface QaAnswer {
  readonly answer: string;
  readonly finishReason: string;
  readonly usage: { readonly promptTokens: number; readonly completionTokens: number };
  /** Share of (token, layer) computations done in prefill, against no pruning. */
  readonly computedShare: number;
  /** ms, as measured where the question was answered (the job's timings through the gateway). */
  readonly timings: Readonly<Record<string, number>>;
  readonly jobId?: string;
}

/** How questions are answered: through the gateway, or in this process. */
export interface Answerer {
  readonly mode: 'gateway' | 'local';
  /** Questions answered at once. */
  readonly concurrency: number;
  /** `attempt` counts the earlier failed runs of this question, so a retry is a new job. */
  answer(task: QaTask, attempt: number, signal: AbortSignal): Promise<QaAnswer>;
  close(): Promise<void>;
}

/** Generation settings the CLI passes on. */
export interface QaGenerationOptions {
  readonly maxTokens: number;
  readonly schedule: ScheduleName;
  readonly kvPrecision: 'f32' | 'f16';
}

/** The full options of a greedy answer, as the gateway fills them in for a request that sets only these. */
export function generationOptions(options: QaGenerationOptions): GenerationOptions {
  return { ...options, temperature: 0, topK: 40, topP: 0.95, seed: 0, stop: [] };
}
