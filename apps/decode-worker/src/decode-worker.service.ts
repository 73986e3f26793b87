import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ENGINE_SETTINGS, EngineSettings } from '../../shared/engine-settings';

/** Continues generations from the state the prefill pool handed over, token by token. The queue consumer is not wired yet: for now it reports its configuration and waits. */
@Injectable()
export class DecodeWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DecodeWorkerService.name);

  constructor(@Inject(ENGINE_SETTINGS) private readonly settings: EngineSettings) {}

  onApplicationBootstrap(): void {
    this.logger.log(`ready: model ${this.settings.modelPath}, threads ${this.settings.threads ?? 'all cores'}`);
  }

  onApplicationShutdown(): void {
    this.logger.log('stopped');
  }
}
