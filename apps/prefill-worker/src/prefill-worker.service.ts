import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ENGINE_SETTINGS, EngineSettings } from '../../shared/engine-settings';

/** Runs LazyLLM prefill for queued jobs and hands the generation state to the decode pool. The queue consumer is not wired yet: for now it reports its configuration and waits. */
@Injectable()
export class PrefillWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PrefillWorkerService.name);

  constructor(@Inject(ENGINE_SETTINGS) private readonly settings: EngineSettings) {}

  onApplicationBootstrap(): void {
    this.logger.log(`ready: model ${this.settings.modelPath}, threads ${this.settings.threads ?? 'all cores'}`);
  }

  onApplicationShutdown(): void {
    this.logger.log('stopped');
  }
}
