import type { JobEvent, JobRecord, JobResult, JobStatus, JobTimings } from '@lazyllm/contracts';

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export type ActiveStatus = Exclude<JobStatus, 'completed' | 'failed' | 'cancelled'>;

/** What a worker or the gateway changes on a running job; timings are merged, not replaced. */
export interface JobPatch {
  readonly status?: ActiveStatus;
  readonly attempts?: number;
  readonly timings?: JobTimings;
  readonly computedShare?: number;
}

type FinalPatch = Omit<JobPatch, 'status'>;

/** The last change of a job: its final status, written once together with the final event it implies. */
export type JobOutcome =
  | (FinalPatch & { readonly status: 'completed'; readonly result: JobResult })
  | (FinalPatch & { readonly status: 'failed'; readonly error: string })
  | (FinalPatch & { readonly status: 'cancelled' });

/** The event that tells stream readers how the job ended. */
export function finalEvent(outcome: JobOutcome): JobEvent {
  switch (outcome.status) {
    case 'completed':
      return { type: 'done', result: outcome.result };
    case 'failed':
      return { type: 'failed', reason: outcome.error };
    case 'cancelled':
      return { type: 'cancelled' };
  }
}

const TIMING = 'timings.';
/** Fields of the record hash that are bookkeeping, not part of the JobRecord. */
const INTERNAL_FIELDS = new Set(['idempotencyKey']);

/** Flat [field, value, ...] for HSET: every value JSON, timings one field each so patches merge. */
export function recordFields(values: Partial<JobRecord> | JobOutcome | JobPatch): string[] {
  const fields: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (name === 'timings') {
      for (const [timing, ms] of Object.entries(value as JobTimings)) if (ms !== undefined) fields.push(TIMING + timing, JSON.stringify(ms));
    } else {
      fields.push(name, JSON.stringify(value));
    }
  }
  return fields;
}

/** The JobRecord stored in a record hash (HGETALL's answer). */
export function recordFromFields(hash: Record<string, string>): JobRecord {
  const record: Record<string, unknown> = {};
  const timings: Record<string, number> = {};
  for (const [name, value] of Object.entries(hash)) {
    if (INTERNAL_FIELDS.has(name)) continue;
    if (name.startsWith(TIMING)) timings[name.slice(TIMING.length)] = JSON.parse(value) as number;
    else record[name] = JSON.parse(value);
  }
  return { ...record, timings } as unknown as JobRecord;
}

/** How a status is stored, for the scripts that compare it inside Redis. */
export function storedStatus(status: JobStatus): string {
  return JSON.stringify(status);
}
