import type { JobRecord, JobStatus } from '@lazyllm/contracts';
import { Counter, Histogram, Registry } from 'prom-client';

export type JobOutcome = Extract<JobStatus, 'completed' | 'failed' | 'cancelled'>;

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The service's own metrics, the same names in every process. The gateway observes each job it accepted
 * once it ends (from its record); a worker observes what it measured itself. Prometheus tells them apart
 * by the scrape job, so dashboards pick the gateway's series for end-to-end figures and the workers'
 * for per-process ones.
 */
export class ServiceMetrics {
  /** From acceptance by the gateway to the first token published. */
  readonly ttft: Histogram;
  readonly queueWait: Histogram;
  readonly prefill: Histogram;
  readonly decodeSpeed: Histogram;
  /** Share of (token, layer) computations done in prefill against no pruning: LazyLLM's saving. */
  readonly computedShare: Histogram;
  readonly handoffBytes: Histogram;
  readonly handoffSeconds: Histogram;
  readonly jobsAccepted: Counter;
  readonly jobsFinished: Counter<'outcome'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.ttft = new Histogram({ name: 'lazyllm_ttft_seconds', help: 'Time to first token: from acceptance to the first token published', buckets: SECONDS, registers });
    this.queueWait = new Histogram({ name: 'lazyllm_queue_wait_seconds', help: 'Time a job waited on the prefill queue', buckets: SECONDS, registers });
    this.prefill = new Histogram({ name: 'lazyllm_prefill_seconds', help: 'LazyLLM prefill and first token', buckets: SECONDS, registers });
    this.decodeSpeed = new Histogram({
      name: 'lazyllm_decode_tokens_per_second',
      help: 'Decode speed of a job in the decode pool',
      buckets: [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300],
      registers,
    });
    this.computedShare = new Histogram({
      name: 'lazyllm_computed_share',
      help: 'Share of (token, layer) computations done in prefill, against no pruning',
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
      registers,
    });
    this.handoffBytes = new Histogram({
      name: 'lazyllm_handoff_bytes',
      help: 'Size of the generation state handed from prefill to decode',
      buckets: [2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22, 2 ** 24, 2 ** 26, 2 ** 28, 2 ** 30],
      registers,
    });
    this.handoffSeconds = new Histogram({
      name: 'lazyllm_handoff_seconds',
      help: 'Serializing and storing the generation state',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.jobsAccepted = new Counter({ name: 'lazyllm_jobs_accepted_total', help: 'Jobs accepted', registers });
    this.jobsFinished = new Counter({ name: 'lazyllm_jobs_finished_total', help: 'Jobs that ended, by outcome', labelNames: ['outcome'], registers });
    for (const outcome of ['completed', 'failed', 'cancelled'] satisfies JobOutcome[]) this.jobsFinished.inc({ outcome }, 0);
  }

  observeMs(histogram: Histogram, ms: number | undefined): void {
    if (ms !== undefined) histogram.observe(ms / 1000);
  }

  /** What a prefill worker measured for one job; the handoff fields when it handed the job to the decode pool. */
  observePrefill(m: { queueWaitMs: number; prefillMs: number; ttftMs: number; computedShare: number; handoffMs?: number; handoffBytes?: number }): void {
    this.observeMs(this.queueWait, m.queueWaitMs);
    this.observeMs(this.prefill, m.prefillMs);
    this.observeMs(this.ttft, m.ttftMs);
    this.computedShare.observe(m.computedShare);
    this.observeMs(this.handoffSeconds, m.handoffMs);
    if (m.handoffBytes !== undefined) this.handoffBytes.observe(m.handoffBytes);
  }

  /** A job this process ended. */
  finished(outcome: JobOutcome): void {
    this.jobsFinished.inc({ outcome });
  }

  /** Everything a finished job's record tells; `handoffBytes` comes from its decode job, when it had one. */
  observeFinishedJob(record: JobRecord & { status: JobOutcome }, handoffBytes?: number): void {
    const { timings } = record;
    this.finished(record.status);
    this.observeMs(this.ttft, timings.ttftMs);
    this.observeMs(this.queueWait, timings.queueWaitMs);
    this.observeMs(this.prefill, timings.prefillMs);
    this.observeMs(this.handoffSeconds, timings.handoffMs);
    if (timings.decodeTokensPerSec !== undefined && timings.decodeTokensPerSec > 0) this.decodeSpeed.observe(timings.decodeTokensPerSec);
    const share = record.result?.pruning.computedShare ?? record.computedShare;
    if (share !== undefined) this.computedShare.observe(share);
    if (handoffBytes !== undefined) this.handoffBytes.observe(handoffBytes);
  }
}
