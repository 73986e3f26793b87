import { Global, Module } from '@nestjs/common';
import type { DecodeQueue, PrefillQueue } from '@lazyllm/jobs';
import { processMetrics, queueDepthGauge, ServiceMetrics } from '@lazyllm/metrics';
import { DECODE_QUEUE, PREFILL_QUEUE } from '../job-queue/job-queue.module';
import { FinishedJobWatch } from './finished-job-watch';
import { MetricsController } from './metrics.controller';

/** GET /metrics, and the watch that feeds it from the jobs this gateway accepts. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: ServiceMetrics,
      inject: [PREFILL_QUEUE, DECODE_QUEUE],
      useFactory: (prefill: PrefillQueue, decode: DecodeQueue) => {
        const metrics = processMetrics();
        queueDepthGauge(metrics.registry, { prefill, decode });
        return metrics;
      },
    },
    FinishedJobWatch,
  ],
  exports: [FinishedJobWatch],
})
export class MetricsModule {}
