import type { JobRecord } from '@lazyllm/contracts';

/** The record of a job the gateway just accepted. */
export function newJobRecord(id: string, acceptedAt: number, batchId?: string): JobRecord {
  return { id, status: 'queued', ...(batchId === undefined ? {} : { batchId }), createdAt: acceptedAt, updatedAt: acceptedAt, attempts: 0, timings: {} };
}
