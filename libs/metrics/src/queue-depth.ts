import { Gauge, type Registry } from 'prom-client';

/** What the gauge needs of a BullMQ queue. */
export interface CountableQueue {
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** BullMQ states counted: waiting for a worker (including retries waiting out their backoff) and running. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active'] as const;

/**
 * `lazyllm_queue_depth{pool, state}`, read from Redis at each scrape, so every process that exposes it
 * reports the same numbers (use max() across instances). waiting + prioritized + delayed is the backlog
 * to scale a pool on.
 */
export function queueDepthGauge(registry: Registry, pools: Readonly<Record<string, CountableQueue>>): Gauge<'pool' | 'state'> {
  return new Gauge({
    name: 'lazyllm_queue_depth',
    help: 'Jobs in each pool queue, by BullMQ state',
    labelNames: ['pool', 'state'],
    registers: [registry],
    async collect() {
      const counts = await Promise.all(Object.entries(pools).map(async ([pool, queue]) => [pool, await queue.getJobCounts(...QUEUE_STATES)] as const));
      for (const [pool, byState] of counts) for (const state of QUEUE_STATES) this.set({ pool, state }, byState[state] ?? 0);
    },
  });
}
