import { GatewayClient, JobSnapshot } from './gateway-client';
import type { QaJob } from './qa-jobs';
import type { ServiceCluster } from './service-cluster';

export interface BurstPlan {
  readonly jobs: readonly QaJob[];
  /** Jobs run before a burst, one per prefill worker, so no burst pays for a process's first job. */
  readonly warmups: readonly QaJob[];
  /** Request fields besides the documents and the question. */
  readonly request: Record<string, unknown>;
  /** Prefill pool sizes per round, in the order they are measured (the decode pool keeps its size). */
  readonly rounds: readonly (readonly number[])[];
  readonly timeoutMs: number;
}

export interface JobFigures {
  readonly status: string;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly timings: Record<string, number>;
  readonly error?: string;
}

export interface BurstFigures {
  /** Bursts of one round ran back to back: their ratios are the least affected by the machine's other work. */
  readonly round: number;
  readonly prefillWorkers: number;
  readonly decodeWorkers: number;
  readonly completed: number;
  readonly failed: number;
  /** From the first job's acceptance to the last job's end, as the job records say. */
  readonly makespanMs: number;
  readonly jobsPerMinute: number;
  readonly jobs: readonly JobFigures[];
}

/**
 * Submits the whole burst at once over HTTP for each prefill pool size in turn and waits until every job
 * has ended. Throughput is completed jobs per minute of makespan.
 */
export async function measureBursts(cluster: ServiceCluster, plan: BurstPlan, log: (line: string) => void): Promise<BurstFigures[]> {
  const gateway = new GatewayClient(cluster.url);
  const run = async (jobs: readonly QaJob[]): Promise<JobSnapshot[]> => {
    const ids = await Promise.all(jobs.map((j) => gateway.submit({ documents: j.input.documents, question: j.input.question, ...plan.request })));
    return gateway.waitForAll(ids, plan.timeoutMs);
  };
  const bursts: BurstFigures[] = [];
  try {
    for (const [round, sizes] of plan.rounds.entries()) {
      for (const workers of sizes) {
        await cluster.scalePrefill(workers);
        const warmFailed = (await run(plan.warmups.slice(0, workers))).filter((v) => v.status !== 'completed');
        if (warmFailed.length > 0) throw new Error(`warm-up jobs did not complete: ${warmFailed.map((v) => `${v.status} ${v.error ?? ''}`).join('; ')}`);
        log(`${workers} prefill + ${cluster.decodeWorkers} decode workers: submitting ${plan.jobs.length} jobs`);
        const burst = burstFigures(round, workers, cluster.decodeWorkers, await run(plan.jobs));
        bursts.push(burst);
        log(`${workers} prefill + ${cluster.decodeWorkers} decode workers: ${burst.completed} completed in ${(burst.makespanMs / 1000).toFixed(1)} s, ${burst.jobsPerMinute.toFixed(2)} jobs/min`);
      }
    }
  } catch (err) {
    // What the apps said last is what explains a job that failed or never ended.
    throw new Error(`${(err as Error).message}\n${cluster.outputTail()}`, { cause: err });
  }
  return bursts;
}

function burstFigures(round: number, prefillWorkers: number, decodeWorkers: number, views: readonly JobSnapshot[]): BurstFigures {
  const start = Math.min(...views.map((v) => Date.parse(v.createdAt)));
  const end = Math.max(...views.map((v) => Date.parse(v.updatedAt)));
  const completed = views.filter((v) => v.status === 'completed').length;
  const makespanMs = end - start;
  return {
    round,
    prefillWorkers,
    decodeWorkers,
    completed,
    failed: views.length - completed,
    makespanMs,
    jobsPerMinute: (completed * 60_000) / makespanMs,
    jobs: views.map((v) => ({
      status: v.status,
      promptTokens: v.result?.usage.promptTokens,
      completionTokens: v.result?.usage.completionTokens,
      timings: v.timings,
      ...(v.error === undefined ? {} : { error: v.error }),
    })),
  };
}

/** Pooled over every burst of a pool size: all completed jobs over all makespans. */
export function jobsPerMinute(bursts: readonly BurstFigures[], prefillWorkers: number): number {
  const of = bursts.filter((b) => b.prefillWorkers === prefillWorkers);
  const completed = of.reduce((n, b) => n + b.completed, 0);
  const ms = of.reduce((n, b) => n + b.makespanMs, 0);
  return (completed * 60_000) / ms;
}

/** Each burst's jobs/min over that of the round's burst with the fewest prefill workers. */
export function ratioInRound(bursts: readonly BurstFigures[], burst: BurstFigures): number {
  const round = bursts.filter((b) => b.round === burst.round);
  const base = round.reduce((a, b) => (b.prefillWorkers < a.prefillWorkers ? b : a));
  return burst.jobsPerMinute / base.jobsPerMinute;
}
