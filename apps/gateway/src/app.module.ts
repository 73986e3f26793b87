import { Module, type DynamicModule } from '@nestjs/common';
import type { QueueSettings } from '@lazyllm/jobs';
import { AdmissionModule } from './admission/admission.module';
import type { ModelProfile } from './admission/model-profile';
import { AuthModule } from './auth/auth.module';
import { BatchesModule } from './batches/batches.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthModule } from './health/health.module';
import { JobQueueModule } from './job-queue/job-queue.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenAiModule } from './openai/openai.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import type { GatewaySettings } from './settings/gateway-settings';

/** Everything the gateway runs with, read and checked before Nest starts. */
export interface GatewayConfig {
  readonly settings: GatewaySettings;
  readonly queue: QueueSettings;
  readonly model: ModelProfile;
}

/**
 * The HTTP API: jobs (submit, status, SSE events, cancel) and document-QA batches, checked against the
 * model's profile and handed to the prefill queue; the same through OpenAI's API; health, metrics and
 * the queue dashboard for operators. API keys guard all but health and metrics when API_KEYS is set;
 * RATE_LIMIT limits requests per key or IP.
 */
@Module({})
export class AppModule {
  static withConfig(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.withKeys(config.settings.apiKeys),
        RateLimitModule.forLimit(config.settings.rateLimit),
        AdmissionModule.forModel(config.model, config.settings),
        JobQueueModule.forSettings(config.queue),
        MetricsModule,
        JobsModule,
        BatchesModule,
        OpenAiModule,
        HealthModule,
        DashboardModule,
      ],
    };
  }
}
