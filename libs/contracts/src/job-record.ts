import type { ScheduleSpec } from './job-input';

export type JobStatus = 'queued' | 'prefill' | 'decode' | 'completed' | 'failed' | 'cancelled';

export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface JobTimings {
  readonly queueWaitMs?: number;
  /** From acceptance by the gateway to the first token published. */
  readonly ttftMs?: number;
  readonly prefillMs?: number;
  readonly handoffMs?: number;
  readonly decodeMs?: number;
  readonly decodeTokensPerSec?: number;
  readonly totalMs?: number;
}

export interface JobResult {
  readonly text: string;
  readonly tokens: readonly number[];
  readonly finishReason: FinishReason;
  readonly usage: { readonly promptTokens: number; readonly completionTokens: number };
  readonly pruning: { readonly schedule: ScheduleSpec; readonly computedShare: number; readonly revived: number };
}

/** A job as the gateway reports it; workers update it as the job moves through the pools. */
export interface JobRecord {
  readonly id: string;
  readonly status: JobStatus;
  readonly batchId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly attempts: number;
  readonly timings: JobTimings;
  readonly computedShare?: number;
  readonly result?: JobResult;
  readonly error?: string;
}

/**
 * One entry of a job's event stream (a Redis stream, read from the start so a late subscriber misses
 * nothing). Token indices start at 0 and are published at most once each, also across retries.
 * The token events' texts, joined, are a prefix of the final result's text: text that could have
 * begun a stop string is held back until it is clear, and what is still held when the generation
 * ends (or a last incomplete character) appears only in `done`'s result.text.
 */
export type JobEvent =
  | { readonly type: 'token'; readonly index: number; readonly token: number; readonly text: string }
  | { readonly type: 'done'; readonly result: JobResult }
  | { readonly type: 'failed'; readonly reason: string }
  | { readonly type: 'cancelled' };
