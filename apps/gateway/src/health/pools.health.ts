import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { DecodeQueue, PrefillQueue } from '@lazyllm/jobs';
import { QUEUE_STATES } from '@lazyllm/metrics';
import { DECODE_QUEUE, PREFILL_QUEUE } from '../job-queue/job-queue.module';

/**
 * Each worker pool: how many processes consume its queue and how deep the queue is. A worker connects
 * to its queue only once its model is loaded, so a connected worker is one that can take jobs. A pool
 * without any is down: its jobs wait until one starts.
 */
@Injectable()
export class PoolsHealth {
  constructor(
    @Inject(PREFILL_QUEUE) private readonly prefill: PrefillQueue,
    @Inject(DECODE_QUEUE) private readonly decode: DecodeQueue,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const indicator = this.health.check('pools');
    const pools = Object.fromEntries(
      await Promise.all(
        Object.entries({ prefill: this.prefill, decode: this.decode }).map(async ([pool, queue]) => {
          const [workers, depth] = await Promise.all([queue.getWorkersCount(), queue.getJobCounts(...QUEUE_STATES)]);
          return [pool, { workers, queue: depth }] as const;
        }),
      ),
    );
    const empty = Object.entries(pools).filter(([, pool]) => pool.workers === 0).map(([name]) => name);
    if (empty.length > 0) return indicator.down({ message: `no worker with a loaded model in: ${empty.join(', ')}`, ...pools });
    return indicator.up(pools);
  }
}
