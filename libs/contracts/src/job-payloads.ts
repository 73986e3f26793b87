import type { GenerationOptions, JobInput } from './job-input';

/** Data of a job on the prefill queue. The BullMQ job id is `jobId`, so a job is enqueued at most once. */
export interface PrefillJobData {
  readonly jobId: string;
  readonly input: JobInput;
  readonly options: GenerationOptions;
  readonly batchId?: string;
  /** ms since epoch when the gateway accepted the job. */
  readonly acceptedAt: number;
}

/** What the prefill worker measured, carried to the decode worker and into the result. */
export interface PrefillReport {
  readonly promptTokens: number;
  readonly queueWaitMs: number;
  /** Prefill + first token, as the worker measured it. */
  readonly prefillMs: number;
  /** Serialize + store of the generation state. */
  readonly handoffMs: number;
  readonly handoffBytes: number;
  /** Share of (token, layer) computations done in prefill, against no pruning. */
  readonly computedShare: number;
  /** ms since epoch when the first token was published. */
  readonly firstTokenAt: number;
}

/** Data of a job on the decode queue: where the state is, and what prefill reported. */
export interface DecodeJobData {
  readonly jobId: string;
  /** Opaque reference returned by the state store. */
  readonly stateRef: string;
  readonly prefill: PrefillReport;
  /** The request's stop strings: the state carries the stop tokens, not these. */
  readonly stop: readonly string[];
  /** ms since epoch when the gateway accepted the job, for the total time. */
  readonly acceptedAt: number;
}
