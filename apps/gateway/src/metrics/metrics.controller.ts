import { Controller, Get, Header } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceMetrics } from '@lazyllm/metrics';
import { Registry } from 'prom-client';
import { Public } from '../auth/public.decorator';
import { FinishedJobWatch } from './finished-job-watch';

@ApiTags('operations')
@Public()
// Probes and scrapers poll often from one address; they must not use up its rate limit.
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly finished: FinishedJobWatch,
  ) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ summary: 'Prometheus metrics: process, jobs (TTFT, decode speed, share computed, handoff, outcomes), queue depth per pool' })
  @ApiOkResponse({ description: 'Prometheus text format' })
  async scrape(): Promise<string> {
    await this.finished.sweep();
    return this.metrics.registry.metrics();
  }
}
