import type { DecodeJobData, PrefillJobData } from '@lazyllm/contracts';
import { DefaultJobOptions, Job, Queue, WorkerOptions } from 'bullmq';
import { QueueSettings } from './queue-settings';
import { bullmqConnection } from './redis-connection';

export type PrefillQueue = Queue<PrefillJobData>;
export type DecodeQueue = Queue<DecodeJobData>;

/**
 * Retries, backoff and retention of every job in both pools. A failed attempt is retried twice, 1 s then
 * 2 s later; a job that cannot succeed (bad input, corrupt state) throws UnrecoverableError instead.
 * Finished BullMQ jobs are kept for a while, so re-adding a job id (a retried prefill enqueuing its
 * decode job again) is ignored rather than run twice; the job record outlives them (JOB_TTL_SECONDS).
 */
export const JOB_OPTIONS: DefaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600, count: 10_000 },
};

/**
 * Lock and stall detection. A worker holds a lock on its job for lockDuration and renews it every
 * lockDuration / 2 from a timer, so the timer must get to run: the engine awaits onnxruntime for every
 * layer (it computes off the main thread), which leaves the event loop free between layers even during a
 * long prefill. Measured on SmolLM2-135M, 2 threads: a 4,000-token prefill takes 30 s and blocks the event
 * loop for at most 2.4 s at a time, and serializing its 115 MB state 0.25 s; far below the default 30 s
 * lock (WORKER_LOCK_MS; tests that kill workers shorten it to recover in seconds). A worker that dies or
 * stops renewing has its job moved back to waiting within lockDuration + stalledInterval and retried;
 * a job that stalls more than maxStalledCount times fails. Stalls do not use up `attempts`, so
 * maxStalledCount bounds the runs a job can get by killing workers: 1 + 2 retries + 2 stalls.
 */
function lockOptions(settings: QueueSettings): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> {
  return { lockDuration: settings.lockMs, stalledInterval: settings.stalledIntervalMs, maxStalledCount: 2 };
}

export function createPrefillQueue(settings: QueueSettings): PrefillQueue {
  return new Queue<PrefillJobData>(settings.prefillQueue, { connection: bullmqConnection(settings.redisUrl), prefix: settings.prefix, defaultJobOptions: JOB_OPTIONS });
}

export function createDecodeQueue(settings: QueueSettings): DecodeQueue {
  return new Queue<DecodeJobData>(settings.decodeQueue, { connection: bullmqConnection(settings.redisUrl), prefix: settings.prefix, defaultJobOptions: JOB_OPTIONS });
}

/** Adds a prefill job under its job id, so adding the same job twice enqueues it once. */
export function enqueuePrefill(queue: PrefillQueue, data: PrefillJobData): Promise<Job<PrefillJobData>> {
  return queue.add('prefill', data, { jobId: data.jobId });
}

/** Adds the decode job of a job under its job id, so a retried prefill does not start a second decode. */
export function enqueueDecode(queue: DecodeQueue, data: DecodeJobData): Promise<Job<DecodeJobData>> {
  return queue.add('decode', data, { jobId: data.jobId });
}

export function workerOptions(settings: QueueSettings, concurrency: number): WorkerOptions {
  return { connection: bullmqConnection(settings.redisUrl), prefix: settings.prefix, concurrency, ...lockOptions(settings) };
}
