import { parseArgs } from 'node:util';

export const PARTS = ['cost', 'accuracy', 'throughput'] as const;
export type Part = (typeof PARTS)[number];

export interface HandoffBenchOptions {
  readonly parts: readonly Part[];
  /** onnxruntime threads of the in-process engine (cost and accuracy parts). */
  readonly threads: number;
  /** THREADS of every worker process in the throughput part. */
  readonly workerThreads: number;
  /** Runs per schedule in the cost part: a prefill, then a handoff of its state per precision. */
  readonly repeats: number;
  readonly qaPrompts: number;
  readonly burstJobs: number;
  /** Each round measures both pool sizes; odd rounds in reverse order, so drift in the machine's load evens out. */
  readonly rounds: number;
}

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

export function readOptions(argv = process.argv.slice(2)): HandoffBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      parts: { type: 'string', default: PARTS.join(',') },
      threads: { type: 'string', default: '2' },
      'worker-threads': { type: 'string', default: '1' },
      repeats: { type: 'string', default: '5' },
      'qa-prompts': { type: 'string', default: '20' },
      'burst-jobs': { type: 'string', default: '20' },
      rounds: { type: 'string', default: '2' },
    },
  });
  const parts = (values.parts ?? '').split(',').filter((p) => p !== '');
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (parts.length === 0 || unknown.length > 0) throw new Error(`--parts takes a comma-separated subset of ${PARTS.join(', ')}, got "${values.parts}"`);
  return {
    parts: PARTS.filter((p) => parts.includes(p)),
    threads: positive('threads', values.threads),
    workerThreads: positive('worker-threads', values['worker-threads']),
    repeats: positive('repeats', values.repeats),
    qaPrompts: positive('qa-prompts', values['qa-prompts']),
    burstJobs: positive('burst-jobs', values['burst-jobs']),
    rounds: positive('rounds', values.rounds),
  };
}
