import { HandoffSettings, readHandoffSettings } from '@lazyllm/handoff';
import { QueueSettings, readQueueSettings } from '@lazyllm/jobs';
import { readMetricsPort } from '@lazyllm/metrics';
import { EngineSettings, readEngineSettings } from './engine-settings';
import { positiveInteger } from './positive-integer';

export type WorkerPool = 'prefill' | 'decode';

/** Everything a worker process reads from the environment, checked once before it takes work. */
export interface WorkerSettings {
  readonly pool: WorkerPool;
  readonly engine: EngineSettings;
  readonly queue: QueueSettings;
  readonly handoff: HandoffSettings;
  /** Jobs one process runs at once (PREFILL_CONCURRENCY / DECODE_CONCURRENCY); they share the model and the cores. */
  readonly concurrency: number;
  /** Where /metrics and /health are served (METRICS_PORT); undefined serves nothing. */
  readonly metricsPort: number | undefined;
  /** Prompts and answers go to the log only when LOG_CONTENT=1: they may be private. */
  readonly logContent: boolean;
}

/** Injection token for WorkerSettings. */
export const WORKER_SETTINGS = Symbol('WorkerSettings');

export function concurrency(pool: WorkerPool, env: NodeJS.ProcessEnv = process.env): number {
  const name = pool === 'prefill' ? 'PREFILL_CONCURRENCY' : 'DECODE_CONCURRENCY';
  const value = env[name];
  return value === undefined || value === '' ? 1 : positiveInteger(name, value);
}

export function readWorkerSettings(pool: WorkerPool): WorkerSettings {
  return { pool, engine: readEngineSettings(), queue: readQueueSettings(), handoff: readHandoffSettings(), concurrency: concurrency(pool), metricsPort: readMetricsPort(), logContent: process.env.LOG_CONTENT === '1' };
}
