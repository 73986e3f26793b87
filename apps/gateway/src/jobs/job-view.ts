import type { JobRecord, JobResult, JobStatus, JobTimings } from '@lazyllm/contracts';
import { TERMINAL_STATUSES } from '@lazyllm/jobs';

/** Where a job's resources are, relative to the gateway's root. */
export interface JobLinks {
  readonly self: string;
  readonly events: string;
}

/** Coarse progress for clients that do not care which pool holds the job. */
export type JobPhase = 'waiting' | 'running' | 'finished';

/** GET /jobs/:id. */
export interface JobView {
  readonly id: string;
  readonly status: JobStatus;
  readonly phase: JobPhase;
  readonly batchId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly attempts: number;
  /** Tokens streamed so far. */
  readonly generatedTokens: number;
  readonly timings: JobTimings;
  /** Share of (token, layer) computations done in prefill, against no pruning. */
  readonly computedShare?: number;
  readonly result?: JobResult;
  readonly error?: string;
  readonly links: JobLinks;
}

export function jobLinks(id: string): JobLinks {
  const self = `/jobs/${encodeURIComponent(id)}`;
  return { self, events: `${self}/events` };
}

export function isFinished(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

function phaseOf(status: JobStatus): JobPhase {
  if (status === 'queued') return 'waiting';
  return isFinished(status) ? 'finished' : 'running';
}

export function jobView(record: JobRecord, generatedTokens: number): JobView {
  return {
    id: record.id,
    status: record.status,
    phase: phaseOf(record.status),
    ...(record.batchId === undefined ? {} : { batchId: record.batchId }),
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    attempts: record.attempts,
    generatedTokens,
    timings: record.timings,
    ...(record.computedShare === undefined ? {} : { computedShare: record.computedShare }),
    ...(record.result === undefined ? {} : { result: record.result }),
    ...(record.error === undefined ? {} : { error: record.error }),
    links: jobLinks(record.id),
  };
}
