import type { FinishReason, JobRecord, JobStatus, JobTimings } from '@lazyllm/contracts';
import { isFinished } from '../jobs/job-view';
import type { BatchEntry, BatchRecord } from './batch-store';

/** A job whose record has expired (JOB_TTL_SECONDS after it finished) is counted, not hidden. */
export type BatchItemStatus = JobStatus | 'expired';

const ITEM_STATUSES: readonly BatchItemStatus[] = ['queued', 'prefill', 'decode', 'completed', 'failed', 'cancelled', 'expired'];

export interface BatchLinks {
  readonly self: string;
  readonly results: string;
}

/** GET /batches/:id. */
export interface BatchView {
  readonly id: string;
  readonly createdAt: string;
  readonly total: number;
  readonly counts: Readonly<Record<BatchItemStatus, number>>;
  /** Every job has ended (completed, failed, cancelled or expired). */
  readonly done: boolean;
  readonly links: BatchLinks;
}

/** One line of GET /batches/:id/results, in the order the questions were sent. */
export interface BatchResultItem {
  readonly index: number;
  readonly jobId: string;
  readonly question: string;
  readonly status: BatchItemStatus;
  readonly answer?: string;
  readonly finishReason?: FinishReason;
  readonly error?: string;
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
  readonly timings?: JobTimings;
}

export function batchLinks(id: string): BatchLinks {
  const self = `/batches/${encodeURIComponent(id)}`;
  return { self, results: `${self}/results` };
}

function statusOf(record: JobRecord | undefined): BatchItemStatus {
  return record?.status ?? 'expired';
}

/** `records[i]` is the record of `batch.entries[i]`, undefined once expired. */
export function batchView(batch: BatchRecord, records: readonly (JobRecord | undefined)[]): BatchView {
  const counts = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as Record<BatchItemStatus, number>;
  for (const record of records) counts[statusOf(record)]++;
  return {
    id: batch.id,
    createdAt: new Date(batch.createdAt).toISOString(),
    total: batch.entries.length,
    counts,
    done: records.every((r) => r === undefined || isFinished(r.status)),
    links: batchLinks(batch.id),
  };
}

export function batchResultItem(index: number, entry: BatchEntry, record: JobRecord | undefined): BatchResultItem {
  const result = record?.result;
  return {
    index,
    jobId: entry.jobId,
    question: entry.question,
    status: statusOf(record),
    ...(result === undefined ? {} : { answer: result.text, finishReason: result.finishReason, usage: result.usage }),
    ...(record?.error === undefined ? {} : { error: record.error }),
    ...(record === undefined ? {} : { timings: record.timings }),
  };
}
