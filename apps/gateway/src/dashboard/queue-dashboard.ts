import { Inject, Injectable } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { DecodeQueue, PrefillQueue } from '@lazyllm/jobs';
import type { RequestHandler } from 'express';
import { DECODE_QUEUE, PREFILL_QUEUE } from '../job-queue/job-queue.module';

/** Where the dashboard is served, behind the API keys like the API. */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board's dashboard of both pools' queues: counts by state, jobs with their data, errors and
 * timelines. Read-only: a job's record, not its BullMQ entry, is what clients see, so retrying or
 * removing entries here would leave records behind; cancel through DELETE /jobs/:id instead.
 */
@Injectable()
export class QueueDashboard {
  readonly router: RequestHandler;

  constructor(@Inject(PREFILL_QUEUE) prefill: PrefillQueue, @Inject(DECODE_QUEUE) decode: DecodeQueue) {
    const server = new ExpressAdapter().setBasePath(DASHBOARD_PATH);
    const options = { readOnlyMode: true, allowRetries: false };
    createBullBoard({
      queues: [new BullMQAdapter(prefill, { ...options, displayName: 'prefill pool' }), new BullMQAdapter(decode, { ...options, displayName: 'decode pool' })],
      serverAdapter: server,
      options: { uiConfig: { boardTitle: 'LazyLLM queues', hideDocsLink: true } },
    });
    this.router = server.getRouter() as RequestHandler;
  }
}
