import { Module, type DynamicModule } from '@nestjs/common';
import type { QueueSettings } from '@lazyllm/jobs';
import { AdmissionModule } from './admission/admission.module';
import type { ModelProfile } from './admission/model-profile';
import { BatchesModule } from './batches/batches.module';
import { HealthController } from './health/health.controller';
import { JobQueueModule } from './job-queue/job-queue.module';
import { JobsModule } from './jobs/jobs.module';
import type { GatewaySettings } from './settings/gateway-settings';

/** Everything the gateway runs with, read and checked before Nest starts. */
export interface GatewayConfig {
  readonly settings: GatewaySettings;
  readonly queue: QueueSettings;
  readonly model: ModelProfile;
}

/**
 * The HTTP API: jobs (submit, status, SSE events, cancel) and document-QA batches, checked against the
 * model's profile and handed to the prefill queue; health for load balancers.
 */
@Module({})
export class AppModule {
  static withConfig(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [AdmissionModule.forModel(config.model, config.settings), JobQueueModule.forSettings(config.queue), JobsModule, BatchesModule],
      controllers: [HealthController],
    };
  }
}
